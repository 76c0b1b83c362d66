package org.gridtrade.ledger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/** Shared fixtures: deterministic keys, random transactions of every type, small chains. */
public final class TestKit {
  /** Chain id used by the fixtures. */
  public static final int CHAIN = 7;

  private TestKit() {}

  /**
   * A deterministic key pair.
   *
   * @param i index
   * @return the i-th test key
   */
  public static KeyPair key(int i) {
    byte[] seed = new byte[32];
    new Random(1_000_003L * i + 17).nextBytes(seed);
    return KeyPair.fromSeed(seed);
  }

  /**
   * Keys 0..n-1.
   *
   * @param n how many
   * @return the keys
   */
  public static List<KeyPair> keys(int n) {
    List<KeyPair> ks = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ks.add(key(i));
    }
    return ks;
  }

  /**
   * Genesis giving each key {@code each} micro-coins; key 0 is the authority.
   *
   * @param keys the funded keys
   * @param each the allocation per key
   * @return the genesis
   */
  public static Genesis genesis(List<KeyPair> keys, long each) {
    Map<Address, Long> alloc = new HashMap<>();
    keys.forEach(k -> alloc.put(k.address(), each));
    return new Genesis(CHAIN, alloc, Set.of(keys.get(0).address()), 1_700_000_000_000L);
  }

  /**
   * A random well-formed (and signed) transaction of a random payload type. It may or may not apply
   * to any given state.
   *
   * @param rnd randomness
   * @return the transaction
   */
  public static Transaction randomTransaction(Random rnd) {
    KeyPair sender = key(rnd.nextInt(8));
    Address other = key(8 + rnd.nextInt(8)).address();
    int chain = rnd.nextInt(10) == 0 ? rnd.nextInt() : CHAIN;
    long amount = 1 + (rnd.nextBoolean() ? rnd.nextInt(1000) : (rnd.nextLong() >>> 2));
    Payload p =
        switch (rnd.nextInt(10)) {
          case 0 -> new Payload.Transfer(other, amount);
          case 1 ->
              new Payload.EnergyTrade(
                  other,
                  sender.address(),
                  1 + rnd.nextInt(100_000),
                  rnd.nextInt(1_000_000),
                  "double-auction/" + randomText(rnd, 1 + rnd.nextInt(20)));
          case 2 -> new Payload.Stake(amount);
          case 3 -> new Payload.Unstake(amount);
          case 4 -> new Payload.Slash(other, amount, Hash.sha256(longBytes(rnd.nextLong())));
          case 5 -> new Payload.Reward(other, amount);
          case 6 ->
              new Payload.MeterReading(
                  "meter-" + randomText(rnd, 1 + rnd.nextInt(20)),
                  rnd.nextInt(Integer.MAX_VALUE) * 1000L,
                  1 + rnd.nextInt(86_400),
                  rnd.nextInt(1_000_000),
                  rnd.nextInt(1_000_000));
          case 7 -> new Payload.Rating(Hash.sha256(longBytes(rnd.nextLong())), 1 + rnd.nextInt(5));
          case 8 -> {
            byte[] data =
                new byte[rnd.nextInt(rnd.nextBoolean() ? 16 : 1 + Payload.Call.MAX_DATA_BYTES)];
            rnd.nextBytes(data);
            yield new Payload.Call("market-" + rnd.nextInt(100), data);
          }
          default -> randomSettlement(rnd, chain, sender);
        };
    long fee = rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(10_000);
    long nonce = rnd.nextBoolean() ? rnd.nextInt(10) : rnd.nextLong() >>> 1;
    return new TransactionBody(chain, sender.publicKey(), nonce, fee, p).sign(sender);
  }

  private static Payload randomSettlement(Random rnd, int chain, KeyPair sp) {
    KeyPair ev = key(8 + rnd.nextInt(8));
    long credit = 1 + rnd.nextInt(1_000_000);
    long ts = 1_700_000_000_000L + rnd.nextInt(1_000_000);
    return Payload.DemandResponseSettlement.sign(
        chain,
        new Payload.DemandResponseSettlement.Request(rnd.nextInt(1000), ev.address(), credit),
        new Payload.DemandResponseSettlement.Token(
            credit, ts + rnd.nextInt(100_000), Hash.sha256(longBytes(rnd.nextLong())), ts),
        1 + rnd.nextInt(50_000),
        1 + rnd.nextLong(credit),
        sp,
        ev);
  }

  /**
   * Random text mixing ASCII and multi-byte characters.
   *
   * @param rnd randomness
   * @param n characters
   * @return text of n characters
   */
  public static String randomText(Random rnd, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(
          rnd.nextInt(5) == 0 ? (char) ('α' + rnd.nextInt(20)) : (char) ('a' + rnd.nextInt(26)));
    }
    return sb.toString();
  }

  static byte[] longBytes(long v) {
    byte[] b = new byte[8];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (v >>> (56 - 8 * i));
    }
    return b;
  }
}
