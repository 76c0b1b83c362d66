package org.gridtrade.consensus.spi;

import java.util.Objects;

/**
 * Whether an account may propose the next block and, if so, how long after the earliest moment it
 * must wait (Clique's out-of-turn delay).
 */
public sealed interface Eligibility {

  /**
   * Whether the account may propose.
   *
   * @return {@code true} for {@link Eligible}
   */
  default boolean eligible() {
    return this instanceof Eligible;
  }

  /**
   * The account may propose after waiting {@code delayMillis}.
   *
   * @param delayMillis how long after the earliest proposal time the account waits, 0 or more; an
   *     in-turn proposer waits 0
   * @param inTurn whether the account is the preferred (in-turn) proposer
   */
  record Eligible(long delayMillis, boolean inTurn) implements Eligibility {
    public Eligible {
      if (delayMillis < 0) {
        throw new IllegalArgumentException("delayMillis %d must be >= 0".formatted(delayMillis));
      }
    }
  }

  /**
   * The account may not propose the next block.
   *
   * @param reason why not, e.g. "not a sealer" or "sealed one of the last 2 blocks"
   */
  record Ineligible(String reason) implements Eligibility {
    public Ineligible {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
