package org.gridtrade.node;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.gridtrade.consensus.spi.EnergyProofSource;
import org.gridtrade.consensus.spi.StateOfChargeSource;
import org.gridtrade.ledger.Address;

/**
 * Which consensus protocol a node runs, with its parameters, as the {@code "consensus"} object of a
 * node's configuration ({@link NodeConfig}). Every node of a network must be given the same
 * settings (the keystore paths aside, which may differ while holding the same key).
 *
 * <ul>
 *   <li>{@link Poa}: Proof of Authority; the configuration's {@code sealers} seal in turn.
 *   <li>{@link Trust}: trust-based stake; the configuration's {@code sealers} are the committee of
 *       the first epoch, later committees are chosen from the accounts that burn a deposit.
 *   <li>{@link EnergyGeneration}: Proof of Energy Generation with fixed coalitions and proof
 *       scores.
 *   <li>{@link StateOfCharge}: Proof of State of Charge with fixed EVs and daily scores.
 * </ul>
 *
 * <p>The proof scores of the last two come from metered generation and state of charge in a real
 * deployment; in a configuration file they are fixed for every height, which is what a test network
 * or a pilot without live data needs. An integrator with live data starts the node with its own
 * protocol ({@link GridTradeNode#start(NodeConfig, List,
 * org.gridtrade.consensus.spi.ConsensusProtocol)}).
 *
 * <p>A <b>treasury</b> keystore (optional, read with the node's password) holds the key that signs
 * the protocol's rewards (and, for Proof of Energy Generation, its penalties); it must be an
 * authority of the genesis, every node must be given the same key, and it must send nothing else.
 * Without one, no rewards are paid.
 */
public sealed interface ConsensusSettings {

  /** The default rank delay of the protocols that have one. */
  Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

  /**
   * The protocol's name in a configuration file: {@code poa}, {@code trust}, {@code poeg} or {@code
   * posoc}.
   *
   * @return the name
   */
  String protocol();

  /**
   * The treasury keystore, if rewards are paid.
   *
   * @return the path, or empty
   */
  Optional<Path> treasury();

  /** Proof of Authority among the configuration's sealers. */
  record Poa() implements ConsensusSettings {
    @Override
    public String protocol() {
      return "poa";
    }

    @Override
    public Optional<Path> treasury() {
      return Optional.empty();
    }
  }

  /**
   * Trust-based stake; the configuration's sealers sign the first epoch.
   *
   * @param epochLength blocks per epoch, 2 or more
   * @param committeeSize validators per epoch, 1 or more
   * @param timeout how much later each further rank may sign, at least 10 ms
   * @param treasury the keystore of the key that pays trust coins, or empty
   */
  record Trust(int epochLength, int committeeSize, Duration timeout, Optional<Path> treasury)
      implements ConsensusSettings {
    /** Validates the fields. */
    public Trust {
      if (epochLength < 2) {
        throw new IllegalArgumentException(
            "consensus.epochLength %d must be >= 2".formatted(epochLength));
      }
      if (committeeSize < 1) {
        throw new IllegalArgumentException(
            "consensus.committeeSize %d must be >= 1".formatted(committeeSize));
      }
      checkTimeout(timeout);
      Objects.requireNonNull(treasury, "treasury");
    }

    @Override
    public String protocol() {
      return "trust";
    }
  }

  /**
   * Proof of Energy Generation with the same candidate coalitions at every height.
   *
   * @param coalitions the coalitions, distinct ids, at least one with a positive proof score
   * @param timeout how much later each further rank may sign, at least 10 ms
   * @param blockRewardMicro the mining reward per block, 0 or more (paid only with a treasury)
   * @param slashMicro the penalty of a signer that let its turn pass, 0 or more (only with a
   *     treasury)
   * @param treasury the keystore of the key that pays rewards and penalties, or empty
   */
  record EnergyGeneration(
      List<EnergyProofSource.Candidate> coalitions,
      Duration timeout,
      long blockRewardMicro,
      long slashMicro,
      Optional<Path> treasury)
      implements ConsensusSettings {
    /** Validates the fields; the list is copied. */
    public EnergyGeneration {
      coalitions = List.copyOf(coalitions);
      Set<String> ids = new HashSet<>();
      boolean positive = false;
      for (EnergyProofSource.Candidate c : coalitions) {
        if (!ids.add(c.id())) {
          throw new IllegalArgumentException(
              "consensus.coalitions: id %s appears twice".formatted(c.id()));
        }
        positive |= c.proofScore() > 0;
      }
      if (!positive) {
        throw new IllegalArgumentException(
            "consensus.coalitions: %d coalitions, none with a positive proofScore; at least one"
                    .formatted(coalitions.size())
                + " must be able to propose");
      }
      checkTimeout(timeout);
      if (blockRewardMicro < 0 || slashMicro < 0) {
        throw new IllegalArgumentException(
            "consensus.blockRewardMicro %d and slashMicro %d must be >= 0"
                .formatted(blockRewardMicro, slashMicro));
      }
      Objects.requireNonNull(treasury, "treasury");
    }

    @Override
    public String protocol() {
      return "poeg";
    }
  }

  /**
   * Proof of State of Charge with the same EVs in every period.
   *
   * @param evs the EVs, distinct addresses, at least one with a positive daily score
   * @param blocksPerPeriod blocks per period (a day of the sources), 1 or more
   * @param timeout how much later each further rank may sign, at least 10 ms
   * @param treasury the keystore of the key that settles profits, or empty
   */
  record StateOfCharge(
      List<StateOfChargeSource.Candidate> evs,
      long blocksPerPeriod,
      Duration timeout,
      Optional<Path> treasury)
      implements ConsensusSettings {
    /** Validates the fields; the list is copied. */
    public StateOfCharge {
      evs = List.copyOf(evs);
      Set<Address> seen = new HashSet<>();
      boolean positive = false;
      for (StateOfChargeSource.Candidate c : evs) {
        if (!seen.add(c.address())) {
          throw new IllegalArgumentException(
              "consensus.evs: address %s appears twice".formatted(c.address()));
        }
        positive |= c.dailyScore() > 0;
      }
      if (!positive) {
        throw new IllegalArgumentException(
            "consensus.evs: %d EVs, none with a positive dailyScore; at least one must be able to"
                    .formatted(evs.size())
                + " propose");
      }
      if (blocksPerPeriod < 1) {
        throw new IllegalArgumentException(
            "consensus.blocksPerPeriod %d must be >= 1".formatted(blocksPerPeriod));
      }
      checkTimeout(timeout);
      Objects.requireNonNull(treasury, "treasury");
    }

    @Override
    public String protocol() {
      return "posoc";
    }
  }

  private static void checkTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.toMillis() < 10) {
      throw new IllegalArgumentException(
          "consensus.timeoutMillis %d must be >= 10".formatted(timeout.toMillis()));
    }
  }
}
