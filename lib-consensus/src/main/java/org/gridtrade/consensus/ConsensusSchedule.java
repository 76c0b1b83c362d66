package org.gridtrade.consensus;

import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.gridtrade.consensus.spi.ChainView;
import org.gridtrade.consensus.spi.ConsensusProtocol;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.spi.SealVerifier;

/**
 * Which protocol governs which heights: a protocol from height 1, and optionally others from later
 * heights (after Hyperledger Besu's consensus schedule). Every node of a chain must use the same
 * schedule.
 *
 * <p>A protocol that takes over at height {@code h} sees a {@link ChainView} whose {@link
 * ChainView#activationHeight()} is {@code h}, so it starts from its own configuration on top of
 * block {@code h − 1}. Immutable and thread-safe.
 *
 * <pre>{@code
 * ConsensusSchedule schedule = ConsensusSchedule.builder()
 *     .from(1, poaWithFoundingSealers)
 *     .from(10_000, poaWithUtilitySealers)
 *     .build();
 * }</pre>
 */
public final class ConsensusSchedule {
  private final NavigableMap<Long, ConsensusProtocol> byHeight;

  private ConsensusSchedule(NavigableMap<Long, ConsensusProtocol> byHeight) {
    this.byHeight = byHeight;
  }

  /**
   * One protocol for the whole chain.
   *
   * @param protocol the protocol from height 1
   * @return the schedule
   */
  public static ConsensusSchedule of(ConsensusProtocol protocol) {
    return builder().from(1, protocol).build();
  }

  /**
   * A builder.
   *
   * @return an empty builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The protocol governing a height.
   *
   * @param height a height, 1 or more
   * @return the protocol
   * @throws IllegalArgumentException if {@code height < 1}
   */
  public ConsensusProtocol protocolAt(long height) {
    return entry(height).getValue();
  }

  /**
   * The first height of the protocol governing {@code height}.
   *
   * @param height a height, 1 or more
   * @return the activation height of its protocol
   * @throws IllegalArgumentException if {@code height < 1}
   */
  public long activationHeight(long height) {
    return entry(height).getKey();
  }

  /**
   * The schedule's entries: activation height to protocol.
   *
   * @return an unmodifiable sorted map
   */
  public NavigableMap<Long, ConsensusProtocol> entries() {
    return java.util.Collections.unmodifiableNavigableMap(byHeight);
  }

  /**
   * The chain view a protocol governing {@code height} sees: the canonical chain, scoped to its
   * activation height.
   *
   * @param chain the full chain
   * @param height a height, 1 or more
   * @return the scoped view
   */
  public ChainView viewFor(ChainView chain, long height) {
    long activation = activationHeight(height);
    return new ChainView() {
      @Override
      public Optional<BlockHeader> header(long h) {
        return chain.header(h);
      }

      @Override
      public Optional<org.gridtrade.ledger.Block> block(long h) {
        return chain.block(h);
      }

      @Override
      public long activationHeight() {
        return activation;
      }
    };
  }

  /**
   * The ledger's seal check for this schedule: each header's seal is verified by the protocol
   * governing its height.
   *
   * @param chain the chain the ledger stores (read when a protocol rebuilds its state)
   * @return the seal verifier to open the {@link org.gridtrade.ledger.Ledger} with
   */
  public SealVerifier sealVerifier(ChainView chain) {
    Objects.requireNonNull(chain, "chain");
    return (header, parent, state) -> {
      try {
        return protocolAt(header.height())
            .verifySeal(viewFor(chain, header.height()), header, parent, state);
      } catch (RuntimeException e) {
        return Optional.of("seal check failed at height %d: %s".formatted(header.height(), e));
      }
    };
  }

  private Map.Entry<Long, ConsensusProtocol> entry(long height) {
    if (height < 1) {
      throw new IllegalArgumentException("height %d must be >= 1".formatted(height));
    }
    return byHeight.floorEntry(height);
  }

  /** Builds a {@link ConsensusSchedule}. Not thread-safe. */
  public static final class Builder {
    private final TreeMap<Long, ConsensusProtocol> byHeight = new TreeMap<>();

    private Builder() {}

    /**
     * Makes {@code protocol} govern heights from {@code height} until the next entry.
     *
     * @param height the first height, 1 or more
     * @param protocol the protocol
     * @return this builder
     * @throws IllegalArgumentException if {@code height < 1} or already has a protocol
     */
    public Builder from(long height, ConsensusProtocol protocol) {
      Objects.requireNonNull(protocol, "protocol");
      if (height < 1) {
        throw new IllegalArgumentException("height %d must be >= 1".formatted(height));
      }
      if (byHeight.containsKey(height)) {
        throw new IllegalArgumentException("height %d already has a protocol".formatted(height));
      }
      byHeight.put(height, protocol);
      return this;
    }

    /**
     * Builds the schedule.
     *
     * @return the schedule
     * @throws IllegalStateException if no protocol governs height 1
     */
    public ConsensusSchedule build() {
      if (!byHeight.containsKey(1L)) {
        throw new IllegalStateException("no protocol from height 1");
      }
      return new ConsensusSchedule(new TreeMap<>(byHeight));
    }
  }
}
