package org.gridtrade.ledger;

/**
 * Thrown when bytes are not a valid canonical encoding of a ledger object.
 *
 * <p>Decoders throw only this for bad input: never an {@link OutOfMemoryError}, an index error or a
 * half-built object. The message names the field and the rule that failed.
 */
public final class DecodeException extends Exception {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what is wrong: the field, the value and the rule
   */
  public DecodeException(String message) {
    super(message);
  }
}
