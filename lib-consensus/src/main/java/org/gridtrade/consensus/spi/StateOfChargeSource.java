package org.gridtrade.consensus.spi;

import java.util.List;
import java.util.Objects;
import org.gridtrade.ledger.Address;

/**
 * Where Proof of State of Charge gets its data (Moniruzzaman Ch. 4; see docs/consensus.md, "Proof
 * of State of Charge"): for each period (normally a day), the EVs with their cumulative daily proof
 * scores (Eq. 4.17) that draw the period's aggregator-miner (mLAG), the profit each EV earns in the
 * period (Eq. 4.20's {@code R_i}), and the local model weight vectors submitted to the mLAG for
 * federated averaging (Eq. 4.19). In the SDK's demo the trading simulation computes them; the
 * consensus module only reads them.
 *
 * <p><b>Contract.</b> Every node must be given a source that returns the same candidates and the
 * same local models for the same period (data of the previous day, agreed or recorded before the
 * period starts); otherwise nodes disagree on the mLAG or the model hash and reject each other's
 * blocks. Implementations are thread-safe.
 */
@FunctionalInterface
public interface StateOfChargeSource {

  /**
   * The EVs of a period.
   *
   * @param period the period, 0 or more ({@code (height − 1) / blocksPerPeriod})
   * @return the candidates, in any order (the protocol orders them by address), distinct addresses;
   *     EVs with a daily score of 0 or less are never drawn but still owe and receive their
   *     profit's settlement
   */
  List<Candidate> candidates(long period);

  /**
   * The local models submitted for the period, which the mLAG averages into the global model whose
   * hash every block of the period records. The default has none: blocks record no model hash.
   *
   * @param period the period, 0 or more
   * @return the weight vectors, all of the same length and finite; empty if none
   */
  default List<double[]> localModels(long period) {
    return List.of();
  }

  /**
   * A source that gives the same candidates and models for every period (a one-day demo, tests).
   *
   * @param candidates the EVs
   * @param localModels the local models, possibly empty; copied
   * @return the source
   */
  static StateOfChargeSource fixed(List<Candidate> candidates, List<double[]> localModels) {
    List<Candidate> cs = List.copyOf(candidates);
    List<double[]> ms = localModels.stream().map(double[]::clone).toList();
    return new StateOfChargeSource() {
      @Override
      public List<Candidate> candidates(long period) {
        return cs;
      }

      @Override
      public List<double[]> localModels(long period) {
        return ms.stream().map(double[]::clone).toList();
      }
    };
  }

  /**
   * An EV that may be drawn as the period's mLAG and that settles its profit in the period.
   *
   * @param address the EV's account (it signs blocks when drawn and pays its β-share from it)
   * @param dailyScore its cumulative daily proof score {@code PS^H_i} (Eq. 4.17), finite, any sign;
   *     only a positive score can be drawn (Eq. 4.18)
   * @param profitMicro its profit {@code R_i} in the period, micro-coins, 0 or more: the treasury
   *     releases it once the EV has paid {@code ⌈β · R_i⌉} to the period's mLAG (Eq. 4.20)
   */
  record Candidate(Address address, double dailyScore, long profitMicro) {
    public Candidate {
      Objects.requireNonNull(address, "address");
      if (!Double.isFinite(dailyScore)) {
        throw new IllegalArgumentException(
            "dailyScore %s of EV %s must be finite".formatted(dailyScore, address));
      }
      if (profitMicro < 0) {
        throw new IllegalArgumentException(
            "profitMicro %d of EV %s must be >= 0".formatted(profitMicro, address));
      }
    }
  }
}
