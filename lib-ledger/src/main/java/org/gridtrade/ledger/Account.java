package org.gridtrade.ledger;

import java.util.Objects;

/**
 * One account's state.
 *
 * @param balance spendable micro-coins, 0 or more
 * @param nonce the nonce the account's next transaction must carry, 0 or more
 * @param stake micro-coins locked as stake, 0 or more
 * @param lastPayment id of the last transaction that debited this account ({@link Hash#ZERO} if
 *     none): the {@code pre_record} a demand-response token must name
 */
public record Account(long balance, long nonce, long stake, Hash lastPayment) {
  /** An account that has never been touched. */
  public static final Account EMPTY = new Account(0, 0, 0, Hash.ZERO);

  public Account {
    if (balance < 0) {
      throw new IllegalArgumentException("balance %d must be >= 0".formatted(balance));
    }
    if (nonce < 0) {
      throw new IllegalArgumentException("nonce %d must be >= 0".formatted(nonce));
    }
    if (stake < 0) {
      throw new IllegalArgumentException("stake %d must be >= 0".formatted(stake));
    }
    Objects.requireNonNull(lastPayment, "lastPayment");
  }
}
