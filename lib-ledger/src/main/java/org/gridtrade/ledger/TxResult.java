package org.gridtrade.ledger;

import java.util.Objects;

/**
 * The outcome of checking or submitting a transaction: accepted, or rejected with a reason.
 * Rejection is an expected business outcome, not an exception, and changes nothing.
 */
public sealed interface TxResult {

  /**
   * Whether the transaction was accepted.
   *
   * @return {@code true} for {@link Accepted}
   */
  default boolean accepted() {
    return this instanceof Accepted;
  }

  /**
   * The transaction was accepted.
   *
   * @param id the transaction id
   */
  record Accepted(Hash id) implements TxResult {
    public Accepted {
      Objects.requireNonNull(id, "id");
    }
  }

  /**
   * The transaction was refused; nothing changed.
   *
   * @param reason the category
   * @param detail a one-line message naming the field, the value and the rule
   */
  record Rejected(RejectReason reason, String detail) implements TxResult {
    public Rejected {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(detail, "detail");
    }

    @Override
    public String toString() {
      return reason + ": " + detail;
    }
  }
}
