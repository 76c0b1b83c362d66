package org.gridtrade.game.v2v;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What one round of {@link FederatedTraining} did (Moniruzzaman Alg. 4, one pass of lines 4–32):
 * every EV trained locally, played the round's day with its learned policy, and, when the variant
 * federates, the drawn aggregator (mLAG) averaged the local models into the global model.
 *
 * @param round the round, 0 first
 * @param stepsPerEv environment steps each EV has trained in total after this round
 * @param episodesPerEv episodes (days) each EV has trained in total after this round
 * @param dailyScores each EV's proof score of the round's day (Eq. 4.17, {@link
 *     FederatedTraining#dailyScore}), computed from its learned actions before the averaging
 * @param dayReturns each EV's return (Eq. 4.14, the real price factor) on the round's day
 * @param dayProfits each EV's profit (money saved or earned by trading V2V) on the round's day
 * @param trainingReturns each EV's mean training return in the round (with {@code δ ≡ 1} for {@link
 *     FederatedTraining.Variant#FEDERATED_UNIT_DELTA})
 * @param aggregator the index of the drawn mLAG; empty when the variant does not federate
 * @param globalModelHash the SHA-256 of the global model ({@link FederatedTraining#modelHash}),
 *     lowercase hex; empty when the variant does not federate
 */
public record FederatedRound(
    int round,
    long stepsPerEv,
    long episodesPerEv,
    List<Double> dailyScores,
    List<Double> dayReturns,
    List<Double> dayProfits,
    List<Double> trainingReturns,
    OptionalInt aggregator,
    Optional<String> globalModelHash) {

  /**
   * Copies the lists.
   *
   * @throws NullPointerException when a component is null
   */
  public FederatedRound {
    dailyScores = List.copyOf(dailyScores);
    dayReturns = List.copyOf(dayReturns);
    dayProfits = List.copyOf(dayProfits);
    trainingReturns = List.copyOf(trainingReturns);
    Objects.requireNonNull(aggregator, "aggregator");
    Objects.requireNonNull(globalModelHash, "globalModelHash");
  }

  /**
   * The EVs' mean return on the round's day.
   *
   * @return the mean of {@link #dayReturns()}
   */
  public double meanDayReturn() {
    return mean(dayReturns);
  }

  /**
   * The EVs' mean training return in the round.
   *
   * @return the mean of {@link #trainingReturns()}
   */
  public double meanTrainingReturn() {
    return mean(trainingReturns);
  }

  private static double mean(List<Double> xs) {
    double s = 0;
    for (double x : xs) {
      s += x;
    }
    return xs.isEmpty() ? 0 : s / xs.size();
  }
}
