package org.gridtrade.ledger;

import java.util.Objects;

/** The outcome of {@link Ledger#append(Block)}. */
public sealed interface BlockResult {

  /**
   * Whether the block was appended.
   *
   * @return {@code true} for {@link Appended}
   */
  default boolean appended() {
    return this instanceof Appended;
  }

  /**
   * The block is stored and the state advanced.
   *
   * @param height its height
   * @param hash its hash
   */
  record Appended(long height, Hash hash) implements BlockResult {
    public Appended {
      Objects.requireNonNull(hash, "hash");
    }
  }

  /**
   * The block was refused; nothing changed.
   *
   * @param reason what is wrong with it
   */
  record Rejected(String reason) implements BlockResult {
    public Rejected {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
