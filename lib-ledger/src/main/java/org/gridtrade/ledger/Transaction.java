package org.gridtrade.ledger;

import java.util.Objects;
import java.util.Optional;
import org.gridtrade.ledger.internal.VerifiedSignatures;

/**
 * A signed transaction: a {@link TransactionBody} and the sender's Ed25519 signature over its
 * canonical bytes.
 *
 * <p>Immutable and thread-safe. The {@link #id() id} is the SHA-256 of the body's canonical
 * encoding, so it does not depend on the signature; the Merkle leaf of a transaction in a block is
 * its full {@link #encode() encoding}, signature included. Equality is by encoding.
 */
public final class Transaction {
  /** Largest canonical encoding of one transaction, in bytes. */
  public static final int MAX_ENCODED_BYTES = 2048;

  private final TransactionBody body;
  private final byte[] bodyBytes;
  private final Signature signature;
  private final byte[] encoded;
  private final Hash id;

  /**
   * Set once every signature has verified. The signatures are a pure function of the immutable
   * encoding, so a positive result never goes stale; it spares a proposer the three re-checks of
   * one transaction (mempool admission, proposal, append). Failures are not cached. A benign race:
   * two threads may both verify before either sets it.
   */
  private volatile boolean signaturesVerified;

  Transaction(TransactionBody body, byte[] bodyBytes, Signature signature) {
    this.body = body;
    this.bodyBytes = bodyBytes;
    this.signature = signature;
    this.encoded = Codec.concat(bodyBytes, signature.unsafeBytes());
    this.id = Hash.sha256(bodyBytes);
  }

  /**
   * Pairs a body with a signature as received (not checked: see {@link #hasValidSignatures()}).
   *
   * @param body the body
   * @param signature the claimed signature
   * @return the transaction
   */
  public static Transaction of(TransactionBody body, Signature signature) {
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(signature, "signature");
    return new Transaction(body, Codec.encodeBody(body), signature);
  }

  /**
   * Decodes the canonical encoding.
   *
   * @param bytes the encoded transaction (not kept)
   * @return the transaction; its signatures are not checked yet
   * @throws DecodeException if the bytes are not exactly one well-formed transaction
   */
  public static Transaction decode(byte[] bytes) throws DecodeException {
    Objects.requireNonNull(bytes, "bytes");
    return Codec.decodeTransaction(bytes, 0, bytes.length);
  }

  /**
   * The body.
   *
   * @return what was signed
   */
  public TransactionBody body() {
    return body;
  }

  /**
   * The sender's signature.
   *
   * @return the signature
   */
  public Signature signature() {
    return signature;
  }

  /**
   * The transaction id: SHA-256 of the canonical body encoding.
   *
   * @return the id
   */
  public Hash id() {
    return id;
  }

  /**
   * The sender's address.
   *
   * @return the account that signs, pays the fee and uses the nonce
   */
  public Address sender() {
    return body.senderAddress();
  }

  /**
   * The canonical encoding: body bytes then the 64-byte signature.
   *
   * @return a fresh array
   */
  public byte[] encode() {
    return encoded.clone();
  }

  byte[] unsafeEncoded() {
    return encoded;
  }

  /**
   * Length of the canonical encoding.
   *
   * @return bytes
   */
  public int encodedLength() {
    return encoded.length;
  }

  /**
   * Checks every signature the transaction carries: the sender's over the body and, for a demand
   * response settlement, the SP's token signature and the EV's countersignature. Never throws.
   *
   * @return whether all signatures are valid
   */
  public boolean hasValidSignatures() {
    return signatureProblem().isEmpty();
  }

  /**
   * Says which signature is invalid, if any. A transaction object remembers that its signatures
   * verified, so checking the same object again is free; so does the process, for the last 65,536
   * encodings that verified (keyed by the SHA-256 of the whole encoding, signatures included), so a
   * decoded copy of the same bytes (a transaction first gossiped, then received in a block) costs a
   * hash. A copy with any other byte is verified afresh.
   *
   * @return empty if every signature is valid, else what is wrong
   */
  public Optional<String> signatureProblem() {
    if (signaturesVerified) {
      return Optional.empty();
    }
    Hash digest = Hash.sha256(encoded);
    if (VerifiedSignatures.contains(digest)) {
      signaturesVerified = true; // these exact bytes verified before in this process
      return Optional.empty();
    }
    Optional<String> problem = verifySignatures();
    if (problem.isEmpty()) {
      signaturesVerified = true;
      VerifiedSignatures.add(digest);
    }
    return problem;
  }

  private Optional<String> verifySignatures() {
    byte[] msg = Codec.signingMessage(bodyBytes);
    if (!body.sender().verify(msg, 0, msg.length, signature.unsafeBytes())) {
      return Optional.of("sender signature does not verify");
    }
    if (body.payload() instanceof Payload.DemandResponseSettlement dr) {
      if (!body.sender().verify(dr.tokenMessage(body.chainId()), dr.tokenSignature())) {
        return Optional.of("service provider's token signature does not verify");
      }
      if (!dr.ev().verify(dr.drMessage(body.chainId(), sender()), dr.evCountersignature())) {
        return Optional.of("EV countersignature does not verify");
      }
    }
    return Optional.empty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Transaction t && java.util.Arrays.equals(encoded, t.encoded);
  }

  @Override
  public int hashCode() {
    return id.hashCode() ^ signature.hashCode();
  }

  @Override
  public String toString() {
    return "Transaction[id=%s, sender=%s, nonce=%d, fee=%d, payload=%s]"
        .formatted(id, sender(), body.nonce(), body.fee(), body.payload());
  }
}
