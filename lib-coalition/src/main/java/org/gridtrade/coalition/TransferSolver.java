package org.gridtrade.coalition;

/**
 * The algorithm that solves the loss-minimising transfer LP inside a coalition (Eq. 3.11–3.15 as
 * docs/coalition.md, "The model", states them). Moniruzzaman Eq. 3.11 minimises the internal
 * transfer loss alone, which would trade nothing; we minimise the coalition's total loss, internal
 * plus EDC trades. Both are exact; they may pick different optimal transfers when the optimum is
 * not unique, which can change the attribution of losses between members.
 */
public enum TransferSolver {
  /**
   * A specialised min-cost-flow (transportation) algorithm: successive shortest paths with
   * potentials. The default; tested against {@link #LP} on random instances.
   */
  MIN_COST_FLOW,
  /** The LP solved by ojAlgo's simplex, as stated. Slower; the reference. */
  LP
}
