package org.gridtrade.ledger.internal;

import java.util.Objects;

/**
 * A faster Ed25519 verifier that a process may install to confirm signatures before BouncyCastle is
 * asked. It may only say yes: {@code PublicKey.verify} returns true at once when the confirmer
 * confirms, and asks BouncyCastle whenever it does not, so every answer is BouncyCastle's as long
 * as a confirmation implies that BouncyCastle accepts too.
 *
 * <p>{@code PublicKey} asks a confirmer only about keys that BouncyCastle decodes (a canonical
 * encoding of a curve point, so the bytes hashed are the same in both) and signatures whose {@code
 * S} is canonical ({@code S < L}). A confirmer must confirm only signatures for which {@code [S]B -
 * [k]A} encodes to exactly the 32 bytes of {@code R}, with {@code k = SHA-512(R || A || M) mod L}.
 * BouncyCastle then accepts: its check is cofactored, {@code [8]([v·S]B - [u]A - [v]R) = O} for
 * scalars with {@code u ≡ v·k (mod L)}; once the equation holds, the left side is {@code [8][v·k -
 * u]A} with {@code v·k - u} a multiple of {@code L}, which is {@code O} for every point of the
 * curve, whose group has order {@code 8L}. libsodium's {@code crypto_sign_verify_detached} is such
 * a confirmer; it also refuses signatures BouncyCastle accepts (an {@code R} of small order, an
 * equation that holds only up to a point of small order), which then go to BouncyCastle.
 *
 * <p>Only the node module installs one; everything else runs on BouncyCastle alone.
 */
public final class SignatureConfirmer {
  /** A verifier that may confirm a signature, or decline to say. */
  @FunctionalInterface
  public interface Confirmer {
    /**
     * Whether the signature is certainly valid. Must not throw.
     *
     * @param publicKey the 32 key bytes ({@code y} canonical)
     * @param signature the 64 signature bytes ({@code S} canonical)
     * @param message the array holding the signed bytes
     * @param off where they start
     * @param len how many there are
     * @return true only if {@code [S]B - [k]A} encodes to {@code R}; false to leave it to
     *     BouncyCastle
     */
    boolean confirms(byte[] publicKey, byte[] signature, byte[] message, int off, int len);
  }

  private static volatile Confirmer installed;

  private SignatureConfirmer() {}

  /**
   * Installs a confirmer for this process, replacing any before it.
   *
   * @param confirmer the confirmer
   */
  public static void install(Confirmer confirmer) {
    installed = Objects.requireNonNull(confirmer, "confirmer");
  }

  /**
   * The installed confirmer.
   *
   * @return the confirmer, or null if none is installed
   */
  public static Confirmer installed() {
    return installed;
  }
}
