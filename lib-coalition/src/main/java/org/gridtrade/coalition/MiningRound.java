package org.gridtrade.coalition;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Proof of Energy Generation settlement for one slot (Moniruzzaman Alg. 2 and 3, Eq. 3.16–3.24):
 * draw the winning coalition with probability proportional to its proof score, compute the mining
 * reward, share it inside the winner by the Shapley value, and pay everyone. Also the penalty rule:
 * a miner that refuses or signs invalid transactions is slashed, its coalition removed and the
 * winner re-drawn from the rest. Immutable and thread-safe; deterministic for a seed.
 *
 * <p>The Shapley game of the winning coalition W: the worth of a sub-coalition T ⊆ W is the loss T
 * saves on its own, {@code v(T) = Σ_{i∈T} E_i^loss − E_T^loss}, solved by the transfer LP. Exact
 * for winners of at most {@link #EXACT_SHAPLEY_MEMBERS} members (all 2^m sub-coalitions); larger
 * winners use {@value #SAMPLED_PERMUTATIONS} sampled permutations with the same seed and report
 * standard errors.
 *
 * @param delta the reward factor δ of Eq. 3.23, in {@code (0, 1]} (Moniruzzaman: 0.1)
 * @param price the energy price {@code p_t} in cents/kWh, in [0, {@link #MAX_PRICE}]
 */
public record MiningRound(double delta, double price) {

  /** The highest energy price, cents/kWh: keeps rewards and payoffs finite. */
  public static final double MAX_PRICE = 1e6;

  /** Largest winning coalition whose Shapley values are computed exactly. */
  public static final int EXACT_SHAPLEY_MEMBERS = 14;

  /** Permutations sampled for larger winners. */
  public static final int SAMPLED_PERMUTATIONS = 400;

  /**
   * Validates the fields.
   *
   * @throws IllegalArgumentException naming the field when out of range
   */
  public MiningRound {
    if (!(delta > 0 && delta <= 1)) {
      throw new IllegalArgumentException("delta %s must be in (0, 1]".formatted(delta));
    }
    if (!(price >= 0 && price <= MAX_PRICE)) {
      throw new IllegalArgumentException("price %s must be in [0, %s]".formatted(price, MAX_PRICE));
    }
  }

  /**
   * Weighted random sampling (Eq. 3.16): draws index k with probability {@code w_k / Σ w} among the
   * indices not excluded. If every remaining weight is 0 the draw is uniform over them, so every
   * coalition keeps a chance, as Moniruzzaman intends.
   *
   * @param weights the proof scores, each finite and 0 or more
   * @param excluded indices that may not win
   * @param seed the random seed (the consensus layer derives it from chain data)
   * @return the drawn index, or empty when every index is excluded
   * @throws IllegalArgumentException if a weight is negative or not finite
   */
  public static OptionalInt drawWinner(List<Double> weights, Set<Integer> excluded, long seed) {
    Objects.requireNonNull(excluded, "excluded");
    double total = 0;
    int open = 0;
    for (int k = 0; k < weights.size(); k++) {
      double w = weights.get(k);
      if (!Double.isFinite(w) || w < 0) {
        throw new IllegalArgumentException(
            "weights[%d] %s must be finite and >= 0".formatted(k, w));
      }
      if (!excluded.contains(k)) {
        total += w;
        open++;
      }
    }
    if (open == 0) {
      return OptionalInt.empty();
    }
    double u = new SplittableRandom(seed).nextDouble();
    int last = -1;
    if (total > 0) {
      double target = u * total;
      double acc = 0;
      for (int k = 0; k < weights.size(); k++) {
        if (excluded.contains(k) || weights.get(k) == 0) {
          continue;
        }
        last = k;
        acc += weights.get(k);
        if (target < acc) {
          return OptionalInt.of(k);
        }
      }
      return OptionalInt.of(last);
    }
    int pick = (int) Math.floor(u * open);
    for (int k = 0; k < weights.size(); k++) {
      if (!excluded.contains(k) && pick-- == 0) {
        return OptionalInt.of(k);
      }
    }
    throw new IllegalStateException("unreachable");
  }

  /**
   * Settles a slot: draws the winner, computes the reward, Shapley shares and payoffs.
   *
   * @param community the community the partition was formed on
   * @param formation the formation result
   * @param seed the random seed of the draw
   * @return the outcome
   * @throws IllegalArgumentException if the partition has no coalitions
   */
  public MiningOutcome settle(Community community, FormationResult formation, long seed) {
    return settle(community, formation, seed, Set.of(), List.of());
  }

  /**
   * The penalty and re-draw rule (Eq. 3.24): the miner of {@code previous} refused to mine or
   * signed invalid transactions, so it is slashed (stake and reward withheld), its coalition is
   * removed from the draw and the winner is drawn again from the remaining coalitions. The reward
   * is recomputed for the new winner.
   *
   * @param community the community
   * @param formation the formation result
   * @param previous the outcome whose miner misbehaved
   * @param seed the random seed of the new draw
   * @return the new outcome, or empty when no coalition is left to draw
   */
  public java.util.Optional<MiningOutcome> penalize(
      Community community, FormationResult formation, MiningOutcome previous, long seed) {
    Set<Integer> ex = new HashSet<>(previous.excluded());
    ex.add(previous.winner());
    List<String> slashed = new ArrayList<>(previous.slashed());
    slashed.add(previous.miner());
    if (ex.size() >= formation.coalitions().size()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(settle(community, formation, seed, ex, slashed));
  }

  private MiningOutcome settle(
      Community community,
      FormationResult formation,
      long seed,
      Set<Integer> excluded,
      List<String> slashed) {
    List<Coalition> cs = formation.coalitions();
    if (cs.isEmpty()) {
      throw new IllegalArgumentException("formation: no coalitions to draw from");
    }
    List<Double> weights = cs.stream().map(c -> Math.max(0, c.proofScore())).toList();
    int w = drawWinner(weights, excluded, seed).orElseThrow();
    Coalition win = cs.get(w);
    double totalSaving = formation.members().stream().mapToDouble(MemberScore::saving).sum();
    double reward = delta * Math.max(0, totalSaving);
    ShapleyResult phi = winnerShapley(community, win, seed);
    double vWin = phi.values().stream().mapToDouble(Double::doubleValue).sum();
    Map<String, Double> share = new HashMap<>();
    List<MemberScore> wm = win.members();
    for (int k = 0; k < wm.size(); k++) {
      String id = wm.get(k).id();
      double s =
          vWin > 1e-12 ? reward * phi.value(k) / vWin : reward / wm.size(); // equal if no saving
      share.put(id, slashed.contains(id) ? 0 : s);
    }
    String miner =
        wm.stream()
            .filter(m -> !slashed.contains(m.id()))
            .max(java.util.Comparator.comparingDouble(MemberScore::proofScore))
            .orElse(wm.get(0))
            .id();
    List<Payoff> payoffs = new ArrayList<>();
    for (MemberScore m : formation.members()) {
      double save = m.saving();
      double r = share.getOrDefault(m.id(), 0.0);
      double utility = price * (r + save);
      double fee = delta * Math.max(0, save);
      payoffs.add(new Payoff(m.id(), save, r, utility, fee, utility - price * fee));
    }
    return new MiningOutcome(w, miner, reward, phi, payoffs, excluded, slashed);
  }

  /**
   * Shapley values of a coalition's members in its saving game (worth of a sub-coalition = the loss
   * it saves on its own).
   *
   * @param community the community
   * @param coalition the coalition
   * @param seed the seed used when the coalition is too large for the exact computation
   * @return the values in the coalition's member order
   */
  public static ShapleyResult winnerShapley(Community community, Coalition coalition, long seed) {
    List<String> ids = coalition.memberIds();
    int m = ids.size();
    CoalitionFormation eval = CoalitionFormation.builder().build();
    Map<BitSet, Double> cache = new HashMap<>();
    java.util.function.ToDoubleFunction<BitSet> worth =
        s -> {
          if (s.isEmpty()) {
            return 0;
          }
          return cache.computeIfAbsent(
              s,
              k -> {
                List<String> sub = new ArrayList<>();
                k.stream().forEach(i -> sub.add(ids.get(i)));
                return eval.evaluate(community, sub).saving();
              });
        };
    return m <= EXACT_SHAPLEY_MEMBERS
        ? Shapley.exact(m, worth)
        : Shapley.sample(m, worth, SAMPLED_PERMUTATIONS, seed);
  }
}
