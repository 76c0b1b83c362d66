package org.gridtrade.consensus.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Hash;

/**
 * The Proof of Authority state after one block: the sorted sealer set, who sealed the recent
 * blocks, and the open votes with their tallies. Immutable; {@link #apply} returns a new snapshot.
 *
 * <p>The voting rules are Clique's (EIP-225, go-ethereum {@code snapshot.apply}): a sealer's new
 * vote on a target replaces its earlier vote on that target; a vote counts only if it would change
 * the target's status; a tally above half the sealers changes the status, drops every vote on the
 * target and, for a removal, every vote the removed sealer cast; every vote is dropped at an epoch
 * checkpoint; a sealer may seal at most one of any {@code floor(N/2) + 1} consecutive blocks.
 */
public final class PoaSnapshot {
  /** One vote cast in a sealed block. */
  record CastVote(Address signer, long height, Address target, boolean authorize) {}

  /** Votes for one target, all in one direction. */
  record Tally(boolean authorize, int votes) {}

  private final long height;
  private final Hash hash;
  private final List<Address> sealers;
  private final TreeMap<Long, Address> recents;
  private final List<CastVote> votes;
  private final Map<Address, Tally> tally;

  private PoaSnapshot(
      long height,
      Hash hash,
      List<Address> sealers,
      TreeMap<Long, Address> recents,
      List<CastVote> votes,
      Map<Address, Tally> tally) {
    this.height = height;
    this.hash = hash;
    this.sealers = sealers;
    this.recents = recents;
    this.votes = votes;
    this.tally = tally;
  }

  /**
   * The snapshot a protocol starts from.
   *
   * @param height the height of the header the initial set applies on top of
   * @param hash that header's hash
   * @param sealers the initial sealers
   * @return the snapshot
   */
  public static PoaSnapshot initial(long height, Hash hash, Collection<Address> sealers) {
    return new PoaSnapshot(
        height, hash, List.copyOf(new TreeSet<>(sealers)), new TreeMap<>(), List.of(), Map.of());
  }

  /**
   * The height of the block this snapshot is after.
   *
   * @return the height
   */
  public long height() {
    return height;
  }

  /**
   * The hash of the block this snapshot is after.
   *
   * @return the hash
   */
  public Hash hash() {
    return hash;
  }

  /**
   * The sealers in ascending address order (the in-turn order).
   *
   * @return an immutable list
   */
  public List<Address> sealers() {
    return sealers;
  }

  /**
   * Whether an account is a sealer.
   *
   * @param a the account
   * @return {@code true} if it is in the set
   */
  public boolean isSealer(Address a) {
    return sealers.contains(a);
  }

  /**
   * The in-turn sealer of a height: {@code sealers[height mod N]}.
   *
   * @param h the height
   * @return the sealer, or empty if the set is empty
   */
  public Optional<Address> inTurn(long h) {
    return sealers.isEmpty()
        ? Optional.empty()
        : Optional.of(sealers.get((int) Math.floorMod(h, (long) sealers.size())));
  }

  /**
   * The height at which {@code sealer} sealed one of the last {@code floor(N/2)} blocks before
   * height {@code h}, if it did (Clique's signer limit).
   *
   * @param sealer the sealer
   * @param h the height about to be sealed
   * @return the recent height, or empty if the sealer may seal {@code h}
   */
  public Optional<Long> recentlySealed(Address sealer, long h) {
    long limit = sealers.size() / 2 + 1;
    for (Map.Entry<Long, Address> e : recents.entrySet()) {
      if (e.getValue().equals(sealer) && (h < limit || e.getKey() > h - limit)) {
        return Optional.of(e.getKey());
      }
    }
    return Optional.empty();
  }

  /**
   * Whether a vote would change the target's status (a vote that would not is not counted).
   *
   * @param target the account voted on
   * @param authorize add ({@code true}) or remove
   * @return {@code true} if the vote counts
   */
  public boolean validVote(Address target, boolean authorize) {
    return isSealer(target) != authorize;
  }

  /**
   * Whether {@code signer} has an open vote with this target and direction.
   *
   * @param signer the voter
   * @param target the account voted on
   * @param authorize the direction
   * @return {@code true} if such a vote is open
   */
  public boolean hasVote(Address signer, Address target, boolean authorize) {
    for (CastVote v : votes) {
      if (v.signer.equals(signer) && v.target.equals(target) && v.authorize == authorize) {
        return true;
      }
    }
    return false;
  }

  /**
   * Applies one sealed block: the signer limit, the vote, the tally.
   *
   * @param h the block's height ({@link #height()} + 1)
   * @param blockHash the block's hash
   * @param signer who sealed it (signature already checked)
   * @param voteTarget the account voted on, or null for no vote
   * @param authorize the vote's direction
   * @param epochLength blocks per epoch; votes reset at multiples of it
   * @return the new snapshot, or the reason the block is invalid
   */
  public Result apply(
      long h,
      Hash blockHash,
      Address signer,
      Address voteTarget,
      boolean authorize,
      long epochLength) {
    if (h != height + 1) {
      return new Result(null, "height %d does not follow snapshot height %d".formatted(h, height));
    }
    List<CastVote> nv = new ArrayList<>(votes);
    Map<Address, Tally> nt = new HashMap<>(tally);
    TreeMap<Long, Address> nr = new TreeMap<>(recents);
    TreeSet<Address> ns = new TreeSet<>(sealers);
    if (h % epochLength == 0) {
      nv.clear();
      nt.clear();
    }
    long limit = ns.size() / 2 + 1;
    if (h >= limit) {
      nr.remove(h - limit);
    }
    if (!ns.contains(signer)) {
      return new Result(null, "sealer %s is not authorised at height %d".formatted(signer, h));
    }
    for (Map.Entry<Long, Address> e : nr.entrySet()) {
      if (e.getValue().equals(signer)) {
        return new Result(
            null,
            "sealer %s sealed block %d, one of the last %d; the signer limit is one of %d consecutive"
                .formatted(signer, e.getKey(), limit - 1, limit));
      }
    }
    nr.put(h, signer);
    if (voteTarget != null) {
      for (int i = 0; i < nv.size(); i++) {
        CastVote v = nv.get(i);
        if (v.signer.equals(signer) && v.target.equals(voteTarget)) {
          uncast(nt, v.target, v.authorize);
          nv.remove(i);
          break;
        }
      }
      if (cast(ns, nt, voteTarget, authorize)) {
        nv.add(new CastVote(signer, h, voteTarget, authorize));
      }
      Tally t = nt.get(voteTarget);
      if (t != null && t.votes > ns.size() / 2) {
        if (t.authorize) {
          ns.add(voteTarget);
        } else {
          ns.remove(voteTarget);
          long shrunk = ns.size() / 2 + 1;
          if (h >= shrunk) {
            nr.remove(h - shrunk);
          }
          for (int i = 0; i < nv.size(); i++) {
            if (nv.get(i).signer.equals(voteTarget)) {
              uncast(nt, nv.get(i).target, nv.get(i).authorize);
              nv.remove(i);
              i--;
            }
          }
        }
        nv.removeIf(v -> v.target.equals(voteTarget));
        nt.remove(voteTarget);
      }
    }
    return new Result(
        new PoaSnapshot(h, blockHash, List.copyOf(ns), nr, List.copyOf(nv), Map.copyOf(nt)), null);
  }

  private static boolean cast(
      TreeSet<Address> sealers, Map<Address, Tally> tally, Address target, boolean authorize) {
    if (sealers.contains(target) == authorize) {
      return false;
    }
    Tally old = tally.get(target);
    tally.put(
        target, old == null ? new Tally(authorize, 1) : new Tally(old.authorize, old.votes + 1));
    return true;
  }

  private static void uncast(Map<Address, Tally> tally, Address target, boolean authorize) {
    Tally t = tally.get(target);
    if (t == null || t.authorize != authorize) {
      return;
    }
    if (t.votes > 1) {
      tally.put(target, new Tally(t.authorize, t.votes - 1));
    } else {
      tally.remove(target);
    }
  }

  /**
   * The outcome of {@link #apply}: exactly one of the two is non-null.
   *
   * @param snapshot the new snapshot
   * @param error why the block is invalid
   */
  public record Result(PoaSnapshot snapshot, String error) {}
}
