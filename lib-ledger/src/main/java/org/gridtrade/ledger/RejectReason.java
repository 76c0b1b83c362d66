package org.gridtrade.ledger;

/** Why a transaction or a block was refused. */
public enum RejectReason {
  /** The bytes are not a well-formed transaction. */
  MALFORMED,
  /** The payload type is not known to this version of the ledger. */
  UNKNOWN_TYPE,
  /** A signature (sender, SP token, EV countersignature) does not verify. */
  BAD_SIGNATURE,
  /** The transaction is for another chain id. */
  WRONG_CHAIN,
  /** The nonce is below the account's next nonce: a replay or a duplicate. */
  NONCE_REPLAY,
  /** The nonce is above the account's next nonce: an earlier transaction is missing. */
  NONCE_GAP,
  /** The sender cannot pay amount plus fee. */
  INSUFFICIENT_FUNDS,
  /** Not enough stake to unstake or slash. */
  INSUFFICIENT_STAKE,
  /** A balance or stake would overflow a {@code long}. */
  OVERFLOW,
  /** The sender may not send this payload (not an authority, not the buyer). */
  UNAUTHORIZED,
  /** A demand-response token does not match the ledger (expired, stale pre_record, credit). */
  BAD_TOKEN,
  /**
   * A rating cites no open confirmed trade, is not sent by a party of the trade, or rates a trade
   * the sender already rated.
   */
  BAD_RATING,
  /** The mempool already holds this transaction. */
  DUPLICATE,
  /** The mempool is full (count or bytes) and the transaction does not pay more to get in. */
  POOL_FULL,
  /** A block does not fit the chain: height, link, roots, proposer or seal. */
  BAD_BLOCK,
  /** A slash cites an evidence hash that an earlier slash on this chain already used. */
  EVIDENCE_USED,
  /**
   * An on-chain module's own rule refused a call ({@link org.gridtrade.ledger.spi.LedgerModule});
   * the detail names the module and the rule.
   */
  MODULE_RULE
}
