package org.gridtrade.game.v2v;

/** How energy moves between two EVs (Moniruzzaman Eq. 4.16). */
public enum V2vMode {
  /** Direct V2V: cable between the two EVs; no service cost, {@code Ω = 0}. */
  DIRECT,
  /** Assisted V2V (V2B then B2V through the building); a service cost {@code Ω} per kWh. */
  ASSISTED
}
