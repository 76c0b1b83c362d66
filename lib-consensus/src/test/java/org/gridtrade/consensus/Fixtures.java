package org.gridtrade.consensus;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;

/**
 * Deterministic keys, genesis and transfers for the consensus tests. (The ledger's test kit lives
 * in the ledger module's package, which this named module cannot see in its tests.)
 */
final class Fixtures {
  static final int CHAIN = 7;
  static final long GENESIS_TIME = 1_700_000_000_000L;

  private Fixtures() {}

  static KeyPair key(int i) {
    byte[] seed = new byte[32];
    new Random(1_000_003L * i + 17).nextBytes(seed);
    return KeyPair.fromSeed(seed);
  }

  static List<KeyPair> keys(int from, int n) {
    List<KeyPair> ks = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ks.add(key(from + i));
    }
    return ks;
  }

  static List<Address> addresses(List<KeyPair> keys) {
    return keys.stream().map(KeyPair::address).toList();
  }

  /** Genesis funding each key with {@code each} micro-coins; the first key is the authority. */
  static Genesis genesis(List<KeyPair> funded, long each) {
    Map<Address, Long> alloc = new HashMap<>();
    funded.forEach(k -> alloc.put(k.address(), each));
    return new Genesis(CHAIN, alloc, Set.of(funded.get(0).address()), GENESIS_TIME);
  }

  static Transaction transfer(KeyPair from, Address to, long nonce, long amount, long fee) {
    return new TransactionBody(
            CHAIN, from.publicKey(), nonce, fee, new Payload.Transfer(to, amount))
        .sign(from);
  }
}
