package org.gridtrade.game.v2v;

/** A charging policy: the energy to trade in a slot, given what the EV observes. */
@FunctionalInterface
public interface V2vPolicy {

  /**
   * The action for a state.
   *
   * @param state what the EV observes before acting
   * @return energy in kWh, positive = charge; the environment clips it to the feasible interval
   */
  double action(V2vState state);
}
