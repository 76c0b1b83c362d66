package org.gridtrade.ledger;

import java.security.SecureRandom;
import java.util.Objects;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * An Ed25519 key pair: a 32-byte private seed and its public key.
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows the private seed. To keep a key on
 * disk, encrypt it with {@code Keystore}.
 */
public final class KeyPair {
  /** Length of the private seed in bytes. */
  public static final int SEED_LENGTH = 32;

  private final byte[] seed;
  private final PublicKey publicKey;

  private KeyPair(byte[] seed) {
    this.seed = seed;
    byte[] pk = new byte[PublicKey.LENGTH];
    Ed25519.generatePublicKey(seed, 0, pk, 0);
    this.publicKey = PublicKey.wrap(pk);
  }

  /**
   * Generates a fresh key pair.
   *
   * @param random the entropy source; use a {@link SecureRandom} for real keys
   * @return the key pair
   */
  public static KeyPair generate(SecureRandom random) {
    Objects.requireNonNull(random, "random");
    byte[] seed = new byte[SEED_LENGTH];
    Ed25519.generatePrivateKey(random, seed);
    return new KeyPair(seed);
  }

  /**
   * Rebuilds a key pair from its private seed (a copy is kept).
   *
   * @param seed exactly {@value #SEED_LENGTH} bytes
   * @return the key pair
   * @throws IllegalArgumentException if {@code seed} is not 32 bytes long
   */
  public static KeyPair fromSeed(byte[] seed) {
    Objects.requireNonNull(seed, "seed");
    if (seed.length != SEED_LENGTH) {
      throw new IllegalArgumentException(
          "private seed length %d != %d bytes".formatted(seed.length, SEED_LENGTH));
    }
    return new KeyPair(seed.clone());
  }

  /**
   * The public half.
   *
   * @return the public key
   */
  public PublicKey publicKey() {
    return publicKey;
  }

  /**
   * The address of the public key.
   *
   * @return the account address
   */
  public Address address() {
    return publicKey.address();
  }

  /**
   * Returns a copy of the private seed. Handle with care.
   *
   * @return a fresh 32-byte array
   */
  public byte[] privateSeed() {
    return seed.clone();
  }

  /**
   * Signs {@code message} (pure Ed25519, deterministic).
   *
   * @param message the bytes to sign
   * @return the signature
   */
  public Signature sign(byte[] message) {
    Objects.requireNonNull(message, "message");
    byte[] sig = new byte[Signature.LENGTH];
    Ed25519.sign(seed, 0, publicKey.unsafeBytes(), 0, message, 0, message.length, sig, 0);
    return Signature.wrap(sig);
  }

  @Override
  public String toString() {
    return "KeyPair[publicKey=" + publicKey + "]";
  }
}
