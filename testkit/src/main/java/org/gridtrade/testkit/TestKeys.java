package org.gridtrade.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.KeyPair;

/**
 * Deterministic Ed25519 key pairs for tests and simulations: key {@code i} is derived from the
 * 32-byte seed that {@code new Random(1_000_003 · i + 17)} draws, so the same index gives the same
 * key on every run and JVM. Never use them for anything of value: anyone can derive them.
 */
public final class TestKeys {
  private TestKeys() {}

  /**
   * The {@code i}-th test key.
   *
   * @param i any index
   * @return the key pair
   */
  public static KeyPair key(int i) {
    byte[] seed = new byte[32];
    new Random(1_000_003L * i + 17).nextBytes(seed);
    return KeyPair.fromSeed(seed);
  }

  /**
   * Keys {@code from .. from + n − 1}.
   *
   * @param from the first index
   * @param n how many, 0 or more
   * @return the keys, in index order
   * @throws IllegalArgumentException if {@code n} is negative
   */
  public static List<KeyPair> keys(int from, int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n %d must be >= 0".formatted(n));
    }
    List<KeyPair> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(key(from + i));
    }
    return List.copyOf(out);
  }

  /**
   * The keys' addresses, in order.
   *
   * @param keys the keys
   * @return the addresses
   */
  public static List<Address> addresses(List<KeyPair> keys) {
    return keys.stream().map(KeyPair::address).toList();
  }
}
