package org.gridtrade.consensus.cluster;

import java.util.List;
import java.util.Objects;
import org.gridtrade.ledger.Address;

/**
 * What {@link ClusterAttestation#attest} decided about a parent's batch: attested (it may go to the
 * block engine) or rejected with a reason. Both say which neighbour copies were ignored and why.
 * Immutable.
 */
public sealed interface AttestationResult {

  /**
   * Whether the batch passed the first layer.
   *
   * @return {@code true} for {@link Attested}
   */
  default boolean attested() {
    return this instanceof Attested;
  }

  /**
   * Copies that took no part in the decision: from a node that is not a neighbour of the cluster,
   * with a signature that does not verify, or for another cluster or interval.
   *
   * @return the ignored copies, in the order given
   */
  List<IgnoredCopy> ignored();

  /**
   * The batch is attested: enough neighbours hold exactly its signed readings, and none holds
   * different ones.
   *
   * @param batch the attested batch; its readings can be submitted to the block engine
   * @param agreeing the neighbours whose copies match, sorted by address
   * @param ignored copies that took no part
   */
  record Attested(ReadingBatch batch, List<Address> agreeing, List<IgnoredCopy> ignored)
      implements AttestationResult {
    public Attested {
      Objects.requireNonNull(batch, "batch");
      agreeing = List.copyOf(agreeing);
      ignored = List.copyOf(ignored);
    }
  }

  /**
   * The batch is refused; nothing should be submitted from it.
   *
   * @param reason the category
   * @param detail one line naming what is wrong, with the values
   * @param dissenters neighbours whose copies differ from the batch, sorted by address (for {@link
   *     Reason#DISAGREEMENT}; empty otherwise)
   * @param meters meters implicated: a forged, unknown or equivocating meter (sorted; may be empty)
   * @param ignored copies that took no part
   */
  record Rejected(
      Reason reason,
      String detail,
      List<Address> dissenters,
      List<String> meters,
      List<IgnoredCopy> ignored)
      implements AttestationResult {
    public Rejected {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(detail, "detail");
      dissenters = List.copyOf(dissenters);
      meters = List.copyOf(meters);
      ignored = List.copyOf(ignored);
    }

    @Override
    public String toString() {
      return reason + ": " + detail;
    }
  }

  /**
   * A neighbour copy that was left out of the decision.
   *
   * @param from the address of the key that signed the copy
   * @param why one line saying why
   */
  record IgnoredCopy(Address from, String why) {
    public IgnoredCopy {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(why, "why");
    }
  }

  /** Why a batch was rejected. */
  enum Reason {
    /** The batch names a cluster the topology does not have. */
    UNKNOWN_CLUSTER,
    /** The batch is signed by a node that is not the cluster's parent. */
    NOT_PARENT,
    /** The parent's signature over the batch does not verify. */
    BAD_PARENT_SIGNATURE,
    /** A reading is from a meter that is not registered in this cluster. */
    UNKNOWN_METER,
    /**
     * A reading is not signed by its meter's registered key (another key, or a signature that does
     * not verify): a forgery, or a reading the parent altered.
     */
    FORGED_READING,
    /** A reading is for another interval than the batch (a stale or replayed reading). */
    WRONG_INTERVAL,
    /**
     * A meter signed two different readings for the interval (in the batch, or between the batch
     * and a neighbour's copy): the meter reports different values to different nodes.
     */
    METER_EQUIVOCATION,
    /**
     * A neighbour's copy holds other valid readings than the batch (a dropped or added reading).
     */
    DISAGREEMENT,
    /** Too few neighbours delivered a matching copy (or the cluster has no neighbours). */
    NO_QUORUM
  }
}
