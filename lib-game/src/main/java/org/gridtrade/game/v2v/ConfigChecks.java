package org.gridtrade.game.v2v;

/** The range checks of the learners' configurations, with messages naming the field. */
final class ConfigChecks {
  private ConfigChecks() {}

  /** Requires {@code lo ≤ v ≤ hi}. */
  static void requireInt(String owner, String field, int v, int lo, int hi) {
    if (v < lo || v > hi) {
      throw new IllegalArgumentException(
          "%s: %s %d must be in %d..%d".formatted(owner, field, v, lo, hi));
    }
  }

  /** Requires {@code v} in {@code (lo, hi]}, or {@code [lo, hi]} when {@code loClosed}. */
  static void requireIn(
      String owner, String field, double v, double lo, boolean loClosed, double hi) {
    boolean ok = (loClosed ? v >= lo : v > lo) && v <= hi;
    if (!ok) {
      throw new IllegalArgumentException(
          "%s: %s %s must be in %s%s, %s]"
              .formatted(owner, field, v, loClosed ? "[" : "(", lo, hi));
    }
  }
}
