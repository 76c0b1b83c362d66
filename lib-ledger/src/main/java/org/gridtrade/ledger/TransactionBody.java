package org.gridtrade.ledger;

import java.util.Objects;

/**
 * The signed part of a transaction: the envelope every transaction carries plus its payload.
 *
 * @param chainId the chain this transaction is valid on (replay protection across chains)
 * @param sender the sender's public key; the sender's account is {@code Address.of(sender)}
 * @param nonce the sender's transaction counter, 0 or more: must equal the account's next nonce
 * @param fee micro-coins paid to the block's proposer, 0 or more
 * @param payload what the transaction does
 */
public record TransactionBody(
    int chainId, PublicKey sender, long nonce, long fee, Payload payload) {

  public TransactionBody {
    Objects.requireNonNull(sender, "sender");
    if (nonce < 0) {
      throw new IllegalArgumentException("nonce %d must be >= 0".formatted(nonce));
    }
    if (fee < 0) {
      throw new IllegalArgumentException("fee %d must be >= 0".formatted(fee));
    }
    Objects.requireNonNull(payload, "payload");
  }

  /**
   * The sender's account address.
   *
   * @return {@code Address.of(sender)}
   */
  public Address senderAddress() {
    return Address.of(sender);
  }

  /**
   * Signs this body.
   *
   * @param key the sender's key pair; its public key must be {@link #sender()}
   * @return the signed transaction
   * @throws IllegalArgumentException if {@code key} is not the sender's
   */
  public Transaction sign(KeyPair key) {
    Objects.requireNonNull(key, "key");
    if (!key.publicKey().equals(sender)) {
      throw new IllegalArgumentException(
          "signing key %s is not the sender %s".formatted(key.publicKey(), sender));
    }
    byte[] body = Codec.encodeBody(this);
    return new Transaction(this, body, key.sign(Codec.signingMessage(body)));
  }
}
