package org.gridtrade.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.gridtrade.ledger.spi.SealVerifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Ledger#proveState}: proofs of present and absent keys against block headers, at the head
 * and at retained older heights, their encoding under every single-bit flip and truncation, their
 * size at 100,000 keys, and an independent verifier written from {@link StateProof}'s documented
 * hashing.
 */
class StateProofTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final int KIND_PRESENT = 0;
  private static final int KIND_EMPTY = 1;
  private static final int KIND_OTHER = 2;

  private final List<KeyPair> keys = TestKit.keys(10);
  private final Random rnd = new Random(20_261_206L);
  private Genesis genesis;
  private Ledger ledger;
  private final List<Hash> tradeIds = new ArrayList<>();
  private final List<Address> fresh = new ArrayList<>();

  private Address addr(int i) {
    return keys.get(i).address();
  }

  private Address randomAddress() {
    byte[] b = new byte[Address.LENGTH];
    rnd.nextBytes(b);
    return Address.ofBytes(b);
  }

  private Hash randomHash() {
    byte[] b = new byte[Hash.LENGTH];
    rnd.nextBytes(b);
    return Hash.of(b);
  }

  /** Appends a block of {@code payloads}, each sent by the key with the given index. */
  private List<Transaction> block(Ledger l, List<Map.Entry<Integer, Payload>> payloads) {
    Map<Integer, Long> used = new HashMap<>();
    List<Transaction> txs = new ArrayList<>();
    for (Map.Entry<Integer, Payload> e : payloads) {
      KeyPair k = keys.get(e.getKey());
      long nonce = l.state().account(k.address()).nonce() + used.merge(e.getKey(), 1L, Long::sum);
      txs.add(
          new TransactionBody(TestKit.CHAIN, k.publicKey(), nonce - 1, 10, e.getValue()).sign(k));
    }
    Ledger.Proposal p = l.propose(txs, addr(9), T0 + (l.height() + 1) * 1_000);
    assertThat(p.skipped()).as("skipped").isEmpty();
    BlockResult r = l.append(p.block());
    assertThat(r.appended()).as(r.toString()).isTrue();
    return txs;
  }

  private static Map.Entry<Integer, Payload> by(int sender, Payload p) {
    return Map.entry(sender, p);
  }

  private List<Map.Entry<Integer, Payload>> transfersToFresh(int sender, int n) {
    List<Map.Entry<Integer, Payload>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Address a = randomAddress();
      fresh.add(a);
      out.add(by(sender, new Payload.Transfer(a, 1 + rnd.nextInt(10_000))));
    }
    return out;
  }

  /** Genesis with 10 keys and 290 other accounts; blocks of transfers, trades and a slash. */
  @BeforeEach
  void buildChain() {
    Map<Address, Long> alloc = new HashMap<>();
    keys.forEach(k -> alloc.put(k.address(), 100_000_000L));
    for (int i = 0; i < 290; i++) {
      alloc.put(randomAddress(), 1L + rnd.nextInt(1_000_000));
    }
    genesis = new Genesis(TestKit.CHAIN, alloc, Set.of(addr(0)), T0);
    ledger = Ledger.open(genesis, BlockStores.inMemory());
    List<Map.Entry<Integer, Payload>> b1 = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      b1.add(by(i, new Payload.Stake(500_000)));
    }
    b1.addAll(transfersToFresh(6, 15));
    block(ledger, b1);
    List<Map.Entry<Integer, Payload>> b2 = new ArrayList<>();
    b2.add(by(2, new Payload.EnergyTrade(addr(3), addr(2), 1_000, 50_000, "double-auction/1")));
    b2.add(by(4, new Payload.EnergyTrade(addr(5), addr(4), 2_500, 42_000, "double-auction/1")));
    b2.addAll(transfersToFresh(7, 15));
    block(ledger, b2).stream().limit(2).forEach(t -> tradeIds.add(t.id()));
    Hash evidence = Hash.sha256("evidence-1".getBytes(StandardCharsets.US_ASCII));
    List<Map.Entry<Integer, Payload>> b3 = new ArrayList<>();
    b3.add(by(0, new Payload.Slash(addr(1), 100, evidence)));
    b3.add(by(2, new Payload.Rating(tradeIds.get(0), 4)));
    block(ledger, b3);
    block(ledger, transfersToFresh(8, 20));
    assertThat(ledger.state().accountCount()).isGreaterThanOrEqualTo(300 + 50);
    assertThat(ledger.state().openTrades()).isEqualTo(2);
  }

  @AfterEach
  void close() {
    ledger.close();
  }

  private BlockHeader header(long h) {
    return ledger.block(h).orElseThrow().header();
  }

  /** {@code l.proveState(key, height)} (an Optional so the call sites read the same). */
  private static Optional<StateProof> prove(
      Ledger l, StateKey key, long height, boolean absentThen) {
    return Optional.of(l.proveState(key, height));
  }

  private static Optional<StateProof> prove(Ledger l, StateKey key) {
    return prove(l, key, l.height(), l.state().get(key).isEmpty());
  }

  @Test
  void proveState_absentKeyEndingAtAnotherKeysLoneLeaf_verifies_regression() {
    try (Ledger l = Ledger.open(TestKit.genesis(TestKit.keys(6), 1_000), BlockStores.inMemory())) {
      for (int i = 0; i < 64; i++) {
        byte[] seed = Hash.sha256(TestKit.longBytes(i)).bytes();
        StateKey key = StateKey.account(Address.ofBytes(Arrays.copyOf(seed, Address.LENGTH)));
        StateProof p = l.proveState(key);
        assertThat(p.verify(l.head(), key)).as("%s", key).isTrue();
        assertThat(p.value()).isEmpty();
      }
    }
  }

  private static int kind(byte[] encoded) {
    ByteBuffer b = ByteBuffer.wrap(encoded);
    b.get();
    int kl = b.getShort() & 0xFFFF;
    return encoded[3 + kl] & 0xFF;
  }

  @Test
  void proveState_presentAccounts_verifyAgainstHead_andShowTheirState() {
    Map<Address, Account> accounts = ledger.state().accounts();
    assertThat(accounts).hasSizeGreaterThanOrEqualTo(350);
    for (Map.Entry<Address, Account> e : accounts.entrySet()) {
      StateKey key = StateKey.account(e.getKey());
      StateProof p = ledger.proveState(key);
      assertThat(p.verify(ledger.head(), key)).as("%s", key).isTrue();
      assertThat(p.account()).contains(e.getValue());
      assertThat(p.account()).contains(ledger.state().account(e.getKey()));
      assertThat(p.value()).isPresent();
      assertThat(kind(p.encode())).isEqualTo(KIND_PRESENT);
      assertThat(Independent.verify(p.encode(), ledger.head().stateRoot(), key.bytes())).isTrue();
    }
    for (Hash t : tradeIds) {
      StateProof p = ledger.proveState(StateKey.trade(t));
      assertThat(p.verify(ledger.head(), StateKey.trade(t))).isTrue();
      assertThat(p.value()).isPresent();
    }
  }

  @Test
  void proveState_absentKeys_verifyWithEmptyValue() {
    int[] kinds = new int[3];
    List<StateKey> absent = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      absent.add(StateKey.account(randomAddress()));
      absent.add(StateKey.trade(randomHash()));
    }
    for (StateKey key : absent) {
      assertThat(ledger.state().get(key)).isEmpty();
      Optional<StateProof> proof = prove(ledger, key);
      if (proof.isEmpty()) {
        continue;
      }
      StateProof p = proof.get();
      assertThat(p.verify(ledger.head(), key)).as("%s", key).isTrue();
      assertThat(p.value()).isEmpty();
      if (key.namespace() == 1) {
        assertThat(p.account()).isEmpty();
      }
      kinds[kind(p.encode())]++;
      assertThat(Independent.verify(p.encode(), ledger.head().stateRoot(), key.bytes())).isTrue();
    }
    assertThat(kinds[KIND_PRESENT]).isZero();
    assertThat(kinds[KIND_EMPTY]).as("absent proofs ending in an empty subtree").isGreaterThan(50);
    assertThat(kinds[KIND_OTHER]).as("absent proofs ending in another leaf").isGreaterThan(50);
  }

  @Test
  void verify_againstAnotherBlocksHeaderOrWithAnotherKey_isFalse() {
    StateKey present = StateKey.account(addr(1));
    StateKey other = StateKey.account(addr(2));
    StateKey absent = StateKey.account(randomAddress());
    while (prove(ledger, absent).isEmpty()) {
      absent = StateKey.account(randomAddress());
    }
    StateKey rated = StateKey.trade(tradeIds.get(0));
    for (StateKey key : List.of(present, absent, rated)) {
      StateProof p = ledger.proveState(key);
      assertThat(p.verify(ledger.head(), key)).isTrue();
      for (long h = 0; h < ledger.height(); h++) {
        assertThat(header(h).stateRoot()).isNotEqualTo(ledger.head().stateRoot());
        assertThat(p.verify(header(h), key)).as("%s against block %d", key, h).isFalse();
      }
      for (StateKey k : List.of(present, other, absent, StateKey.trade(tradeIds.get(1)))) {
        if (!k.equals(key)) {
          assertThat(p.verify(ledger.head(), k)).as("%s for %s", key, k).isFalse();
          assertThat(Independent.verify(p.encode(), ledger.head().stateRoot(), k.bytes()))
              .isFalse();
        }
      }
    }
  }

  @Test
  void proveState_atRetainedOlderHeight_verifiesAgainstThatHeader_andShowsTheOldValue() {
    Map<Long, LedgerState> states = new LinkedHashMap<>();
    Ledger l = Ledger.open(genesis, BlockStores.inMemory());
    states.put(0L, l.state());
    for (long h = 1; h <= ledger.height(); h++) {
      assertThat(l.append(ledger.block(h).orElseThrow()).appended()).isTrue();
      states.put(h, l.state());
    }
    List<StateKey> probe = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      probe.add(StateKey.account(addr(i)));
    }
    probe.add(StateKey.account(fresh.get(0)));
    probe.add(StateKey.account(fresh.get(fresh.size() - 1)));
    probe.add(StateKey.trade(tradeIds.get(0)));
    probe.add(StateKey.evidence(Hash.sha256("evidence-1".getBytes(StandardCharsets.US_ASCII))));
    int changed = 0;
    for (long h = 0; h <= ledger.height(); h++) {
      for (StateKey key : probe) {
        Optional<StateProof> proof = prove(ledger, key, h, states.get(h).get(key).isEmpty());
        if (proof.isEmpty()) {
          continue;
        }
        StateProof p = proof.get();
        assertThat(p.verify(header(h), key)).as("%s at %d", key, h).isTrue();
        Optional<byte[]> then = states.get(h).get(key);
        assertThat(p.value().map(Arrays::toString)).isEqualTo(then.map(Arrays::toString));
        Optional<byte[]> now = ledger.state().get(key);
        if (!then.map(Arrays::toString).equals(now.map(Arrays::toString))) {
          changed++;
          assertThat(p.verify(ledger.head(), key)).isFalse();
        }
      }
    }
    assertThat(changed).as("old values that differ from the head's").isGreaterThan(10);
    l.close();
  }

  @Test
  void proveState_beyondRetention_throwsNamingTheHeight() {
    Ledger l = Ledger.open(genesis, BlockStores.inMemory(), SealVerifier.acceptAll(), 33);
    for (int i = 0; i < 40; i++) {
      block(l, List.of(by(1 + i % 8, new Payload.Transfer(addr(9), 1 + i))));
    }
    assertThat(l.height()).isEqualTo(40);
    StateKey key = StateKey.account(addr(9));
    for (long h = 8; h <= 40; h++) {
      StateProof p = l.proveState(key, h);
      assertThat(p.verify(l.block(h).orElseThrow().header(), key)).as("height %d", h).isTrue();
    }
    for (long h : new long[] {7, 3, 1, 0}) {
      assertThatThrownBy(() -> l.proveState(key, h))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("height " + h + " ");
    }
    for (long h : new long[] {41, -1}) {
      assertThatThrownBy(() -> l.proveState(key, h))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("height " + h + " ");
    }
    l.close();
  }

  /** A proof of each kind: present, absent ending in an empty subtree, absent at another leaf. */
  private Map<Integer, StateKey> oneKeyOfEachKind() {
    Map<Integer, StateKey> out = new HashMap<>();
    out.put(KIND_PRESENT, StateKey.account(addr(3)));
    while (out.size() < 3) {
      StateKey k = StateKey.account(randomAddress());
      prove(ledger, k).ifPresent(p -> out.putIfAbsent(kind(p.encode()), k));
    }
    return out;
  }

  @Test
  void encodeDecode_roundTrip_keepsKeyValueAndVerification() throws DecodeException {
    for (StateKey key : oneKeyOfEachKind().values()) {
      StateProof p = ledger.proveState(key);
      StateProof q = StateProof.decode(p.encode());
      assertThat(q.encode()).isEqualTo(p.encode());
      assertThat(q.encodedLength()).isEqualTo(p.encode().length);
      assertThat(q.key()).isEqualTo(key);
      assertThat(q.depth()).isEqualTo(p.depth());
      assertThat(q.value().map(Arrays::toString)).isEqualTo(p.value().map(Arrays::toString));
      assertThat(q.verify(ledger.head(), key)).isTrue();
    }
  }

  /** Decodes and verifies; false for a DecodeException, any other exception fails the test. */
  private boolean decodesAndVerifies(byte[] bytes, StateKey key) {
    StateProof q;
    try {
      q = StateProof.decode(bytes);
    } catch (DecodeException e) {
      assertThat(Independent.verify(bytes, ledger.head().stateRoot(), key.bytes())).isFalse();
      return false;
    }
    boolean ok = q.verify(ledger.head(), key);
    assertThat(Independent.verify(bytes, ledger.head().stateRoot(), key.bytes()))
        .as("independent verifier agrees")
        .isEqualTo(ok);
    return ok;
  }

  @Test
  void everySingleBitFlip_failsToDecodeOrToVerify() {
    for (Map.Entry<Integer, StateKey> e : oneKeyOfEachKind().entrySet()) {
      byte[] enc = ledger.proveState(e.getValue()).encode();
      assertThat(decodesAndVerifies(enc, e.getValue())).isTrue();
      for (int bit = 0; bit < enc.length * 8; bit++) {
        byte[] b = enc.clone();
        b[bit >>> 3] ^= (byte) (0x80 >>> (bit & 7));
        assertThat(decodesAndVerifies(b, e.getValue()))
            .as("kind %d, bit %d of %d", e.getKey(), bit, enc.length * 8)
            .isFalse();
      }
    }
  }

  @Test
  void everyTruncationAndExtension_failsToDecodeOrToVerify() {
    for (Map.Entry<Integer, StateKey> e : oneKeyOfEachKind().entrySet()) {
      byte[] enc = ledger.proveState(e.getValue()).encode();
      for (int n = 0; n < enc.length; n++) {
        assertThat(decodesAndVerifies(Arrays.copyOf(enc, n), e.getValue()))
            .as("kind %d, first %d of %d bytes", e.getKey(), n, enc.length)
            .isFalse();
      }
      for (int extra : new int[] {0, 1, 0xFF}) {
        byte[] longer = Arrays.copyOf(enc, enc.length + 1);
        longer[enc.length] = (byte) extra;
        assertThat(decodesAndVerifies(longer, e.getValue())).isFalse();
      }
    }
  }

  @Test
  void proofSize_at100000Keys_isUnder1000Bytes() {
    Random r = new Random(7);
    Map<Address, Long> alloc = new HashMap<>();
    List<Address> present = new ArrayList<>();
    byte[] b = new byte[Address.LENGTH];
    while (alloc.size() < 100_000) {
      r.nextBytes(b);
      Address a = Address.ofBytes(b);
      if (alloc.put(a, 1L + r.nextInt(1_000)) == null) {
        present.add(a);
      }
    }
    Genesis big = new Genesis(TestKit.CHAIN, alloc, Set.of(present.get(0)), T0);
    try (Ledger l = Ledger.open(big, BlockStores.inMemory())) {
      assertThat(l.state().accountCount()).isEqualTo(100_000);
      int largest = 0;
      int deepest = 0;
      int proven = 0;
      for (int i = 0; i < 1_000; i++) {
        StateKey key;
        if (i % 2 == 0) {
          key = StateKey.account(present.get(r.nextInt(present.size())));
        } else {
          r.nextBytes(b);
          key = StateKey.account(Address.ofBytes(b));
        }
        Optional<StateProof> proof = prove(l, key);
        if (proof.isEmpty()) {
          continue;
        }
        StateProof p = proof.get();
        proven++;
        assertThat(p.value().isPresent()).isEqualTo(i % 2 == 0 || alloc.containsKey(addrOf(key)));
        if (i % 50 == 0) {
          assertThat(p.verify(l.head(), key)).isTrue();
        }
        largest = Math.max(largest, p.encodedLength());
        deepest = Math.max(deepest, p.depth());
      }
      assertThat(proven).isEqualTo(1_000);
      assertThat(deepest).as("deepest path").isBetween(17, 60);
      assertThat(largest).as("largest proof, bytes").isLessThan(1_000);
    }
  }

  private static Address addrOf(StateKey accountKey) {
    return Address.ofBytes(Arrays.copyOfRange(accountKey.bytes(), 1, 1 + Address.LENGTH));
  }

  @Test
  void independentVerifier_rejectsWhatItShould_soItsAgreementMeansSomething() {
    StateKey key = StateKey.account(addr(4));
    byte[] enc = ledger.proveState(key).encode();
    Hash root = ledger.head().stateRoot();
    assertThat(Independent.verify(enc, root, key.bytes())).isTrue();
    assertThat(Independent.verify(enc, header(1).stateRoot(), key.bytes())).isFalse();
    byte[] lastSibling = enc.clone();
    lastSibling[enc.length - 1] ^= 1;
    assertThat(Independent.verify(lastSibling, root, key.bytes())).isFalse();
  }

  /**
   * A verifier written from {@link StateProof}'s Javadoc alone: reads the encoding with a {@link
   * ByteBuffer} and rehashes the binary sparse Merkle path (leaf {@code SHA-256(0x00 ‖ keyHash ‖
   * valueHash)}, inner {@code SHA-256(0x01 ‖ left ‖ right)}, empty 32 zeros, MSB of {@code
   * SHA-256(key)} first).
   */
  static final class Independent {
    private Independent() {}

    static boolean verify(byte[] encoded, Hash root, byte[] askedKey) {
      try {
        return verifyOrThrow(encoded, root, askedKey);
      } catch (BufferUnderflowException | IllegalArgumentException e) {
        return false;
      }
    }

    private static boolean verifyOrThrow(byte[] encoded, Hash root, byte[] askedKey) {
      ByteBuffer in = ByteBuffer.wrap(encoded);
      if (in.get() != 1) {
        return false;
      }
      byte[] key = new byte[in.getShort() & 0xFFFF];
      in.get(key);
      if (key.length == 0 || !Arrays.equals(key, askedKey)) {
        return false;
      }
      byte[] keyHash = StateOracle.sha256(key);
      int kind = in.get() & 0xFF;
      byte[] end;
      byte[] otherKeyHash = null;
      if (kind == KIND_PRESENT) {
        int vl = in.getInt();
        if (vl < 0 || vl > in.remaining()) {
          return false;
        }
        byte[] value = new byte[vl];
        in.get(value);
        end = StateOracle.sha256(new byte[] {0}, keyHash, StateOracle.sha256(value));
      } else if (kind == KIND_EMPTY) {
        end = new byte[32];
      } else if (kind == KIND_OTHER) {
        otherKeyHash = new byte[32];
        byte[] otherValueHash = new byte[32];
        in.get(otherKeyHash).get(otherValueHash);
        end = StateOracle.sha256(new byte[] {0}, otherKeyHash, otherValueHash);
      } else {
        return false;
      }
      int depth = in.getShort() & 0xFFFF;
      if (depth > 256) {
        return false;
      }
      byte[] bitmap = new byte[(depth + 7) / 8];
      in.get(bitmap);
      List<byte[]> siblings = new ArrayList<>();
      for (int i = 0; i < bitmap.length * 8; i++) {
        boolean set = (bitmap[i / 8] >> (7 - i % 8) & 1) == 1;
        if (i >= depth) {
          if (set) {
            return false;
          }
          continue;
        }
        byte[] s = new byte[32];
        if (set) {
          in.get(s);
          if (Arrays.equals(s, new byte[32])) {
            return false;
          }
        }
        siblings.add(s);
      }
      if (in.hasRemaining()) {
        return false;
      }
      if (otherKeyHash != null) {
        if (Arrays.equals(otherKeyHash, keyHash)) {
          return false;
        }
        for (int i = 0; i < depth; i++) {
          if (bit(otherKeyHash, i) != bit(keyHash, i)) {
            return false;
          }
        }
      }
      byte[] h = end;
      for (int i = depth - 1; i >= 0; i--) {
        h =
            bit(keyHash, i) == 0
                ? StateOracle.sha256(new byte[] {1}, h, siblings.get(i))
                : StateOracle.sha256(new byte[] {1}, siblings.get(i), h);
      }
      return MessageDigest.isEqual(h, root.bytes());
    }

    private static int bit(byte[] h, int i) {
      return (h[i / 8] >> (7 - i % 8)) & 1;
    }
  }
}
