package org.gridtrade.ledger;

import java.util.Objects;

/**
 * Thrown when a keystore file cannot be opened: the password is wrong or the file was changed, or
 * the bytes are not a keystore at all.
 *
 * <p>{@link Keystore#decrypt} throws only this for bad file bytes: never an index error, an {@link
 * OutOfMemoryError} or a half-built key. The message names the field, the value and the rule.
 */
public final class KeystoreException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why a keystore could not be opened. */
  public enum Reason {
    /**
     * The file is well formed but does not authenticate: the password is wrong, or the file (its
     * header, public key or ciphertext) was changed. AES-GCM cannot tell these apart.
     */
    WRONG_PASSWORD_OR_TAMPERED,
    /**
     * The bytes are not a keystore this version reads: wrong length, magic or version, KDF
     * parameters out of bounds, or a decrypted seed that does not match the stored public key.
     */
    MALFORMED
  }

  /** The reason; serializable as an enum constant. */
  private final Reason reason;

  /**
   * Creates an exception.
   *
   * @param reason why the keystore could not be opened
   * @param message what is wrong: the field, the value and the rule
   */
  public KeystoreException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /**
   * Why the keystore could not be opened.
   *
   * @return the reason, never null
   */
  public Reason reason() {
    return reason;
  }
}
