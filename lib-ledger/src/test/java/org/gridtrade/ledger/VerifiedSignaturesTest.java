package org.gridtrade.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The process remembers encodings whose signatures verified, so that a decoded copy of the same
 * bytes costs a hash; a copy that differs in any byte, the signature included, is checked afresh.
 */
class VerifiedSignaturesTest {
  private static Transaction transfer(long seed, long nonce) {
    byte[] s = new byte[32];
    new Random(seed).nextBytes(s);
    KeyPair k = KeyPair.fromSeed(s);
    return new TransactionBody(
            9,
            k.publicKey(),
            nonce,
            1,
            new Payload.Transfer(KeyPair.fromSeed(new byte[32]).address(), 5))
        .sign(k);
  }

  @Test
  void copyWithTheSameIdButOtherSignatureBytes_isRefused_afterTheGenuineOneVerified()
      throws Exception {
    Transaction genuine = transfer(1, 0);
    assertThat(genuine.hasValidSignatures()).isTrue();
    byte[] bytes = genuine.encode();
    for (int bit = 0; bit < 8 * Signature.LENGTH; bit += 7) {
      byte[] forged = bytes.clone();
      forged[forged.length - Signature.LENGTH + bit / 8] ^= (byte) (1 << (bit % 8));
      Transaction copy = Transaction.decode(forged);
      assertThat(copy.id()).isEqualTo(genuine.id());
      assertThat(copy.signatureProblem()).as("signature bit %d flipped", bit).isPresent();
      // Asked again (a second decoded copy): still refused, failures are never remembered.
      assertThat(Transaction.decode(forged).hasValidSignatures()).isFalse();
    }
    assertThat(Transaction.decode(bytes).hasValidSignatures()).isTrue();
  }

  @Test
  void manyEncodings_pastTheCapacity_stillVerifyCorrectly() throws Exception {
    // More distinct transactions than the process remembers: evictions must never make a good
    // one fail or a bad one pass.
    int n = org.gridtrade.ledger.internal.VerifiedSignatures.CAPACITY + 500;
    KeyPair k = KeyPair.fromSeed(new byte[32]);
    Transaction first = null;
    for (int i = 0; i < n; i += 97) {
      Transaction t =
          new TransactionBody(9, k.publicKey(), i, 1, new Payload.Transfer(k.address(), 1)).sign(k);
      first = first == null ? t : first;
      org.gridtrade.ledger.internal.VerifiedSignatures.add(Hash.sha256(new byte[] {(byte) i, 1}));
      assertThat(Transaction.decode(t.encode()).hasValidSignatures()).isTrue();
    }
    for (int i = 0; i < n; i++) {
      org.gridtrade.ledger.internal.VerifiedSignatures.add(
          Hash.sha256(new byte[] {(byte) i, (byte) (i >>> 8), (byte) (i >>> 16), 2}));
    }
    assertThat(Transaction.decode(first.encode()).hasValidSignatures()).isTrue();
    byte[] bad = first.encode();
    bad[bad.length - 1] ^= 1;
    assertThat(Transaction.decode(bad).hasValidSignatures()).isFalse();
  }
}
