package org.gridtrade.ledger.internal.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Properties of the state tree checked against {@link SparseMerkleTreeOracle}, a naive
 * recomputation from the tree's definition, and against a {@link TreeMap} model of its content.
 */
class SparseMerkleTreePropertyTest {
  private static final int EXAMPLES = 200;

  /** A few keys, so that puts overwrite and deletes hit often. */
  private static final List<String> SMALL = names("s", 6);

  /** Enough keys for internal nodes with many children. */
  private static final List<String> MEDIUM = names("m", 64);

  /** Keys whose hashes share their first 2 or 3 bytes: deep paths, moves and collapses. */
  private static final List<String> DEEP = deepKeys();

  /** Keys never written. */
  private static final List<String> ABSENT = names("absent-", 24);

  private static final Map<String, byte[]> KEY_HASHES = new HashMap<>();

  private static List<String> names(String prefix, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(prefix + i);
    }
    return out;
  }

  /**
   * Searches keys "d0", "d1", ... for hashes sharing their first 3 bytes (pairs, found by sorting
   * the 24-bit prefixes) and adds every searched key sharing the first 2 bytes with such a pair,
   * and the largest group sharing 2 bytes.
   */
  private static List<String> deepKeys() {
    int n = 60_000;
    long[] by24 = new long[n];
    for (int i = 0; i < n; i++) {
      byte[] h = SparseMerkleTreeOracle.keyHash("d" + i);
      long prefix = ((h[0] & 0xFFL) << 16) | ((h[1] & 0xFFL) << 8) | (h[2] & 0xFFL);
      by24[i] = (prefix << 32) | i;
    }
    Arrays.sort(by24);
    Set<Long> prefixes16 = new HashSet<>();
    for (int i = 1; i < n && prefixes16.size() < 8; i++) {
      if (by24[i] >>> 32 == by24[i - 1] >>> 32) {
        prefixes16.add(by24[i] >>> 40);
      }
    }
    long largest = -1;
    int largestSize = 0;
    for (int i = 0; i < n; ) {
      int j = i;
      while (j < n && by24[j] >>> 40 == by24[i] >>> 40) {
        j++;
      }
      if (j - i > largestSize) {
        largestSize = j - i;
        largest = by24[i] >>> 40;
      }
      i = j;
    }
    prefixes16.add(largest);
    List<String> out = new ArrayList<>();
    for (long e : by24) {
      if (prefixes16.contains(e >>> 40)) {
        out.add("d" + (e & 0xFFFF_FFFFL));
      }
    }
    return List.copyOf(out);
  }

  private static synchronized byte[] kh(String key) {
    return KEY_HASHES.computeIfAbsent(key, SparseMerkleTreeOracle::keyHash);
  }

  private static byte[] bytes(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void deepKeys_shareLongHashPrefixes() {
    int threeBytes = 0;
    for (int i = 0; i < DEEP.size(); i++) {
      for (int j = i + 1; j < DEEP.size(); j++) {
        byte[] a = kh(DEEP.get(i));
        byte[] b = kh(DEEP.get(j));
        if (a[0] == b[0] && a[1] == b[1] && a[2] == b[2]) {
          threeBytes++;
        }
      }
    }
    assertThat(threeBytes).as("pairs sharing 24 bits among %s", DEEP).isGreaterThanOrEqualTo(4);
    assertThat(DEEP.size()).isGreaterThanOrEqualTo(20);
  }

  // ---------------------------------------------------------------- scenarios

  /** The key pool of a scenario, by number. */
  private static List<String> pool(int kind) {
    return switch (kind) {
      case 0 -> SMALL;
      case 1 -> MEDIUM;
      case 2 -> DEEP;
      default -> {
        List<String> mixed = new ArrayList<>(SMALL);
        mixed.addAll(DEEP);
        mixed.addAll(MEDIUM.subList(0, 16));
        yield mixed;
      }
    };
  }

  private static byte[] randomValue(Random rnd) {
    int len = rnd.nextInt(5) == 0 ? 0 : 1 + rnd.nextInt(40);
    byte[] v = new byte[len];
    rnd.nextBytes(v);
    return v;
  }

  /** A random batch of operations (null value: delete), possibly several on one key. */
  private static List<Map.Entry<String, byte[]>> randomOps(Random rnd, List<String> keys, int n) {
    List<Map.Entry<String, byte[]>> ops = new ArrayList<>();
    int deletes = rnd.nextInt(4); // 0 to 3 in 8 are deletes
    for (int i = 0; i < n; i++) {
      String k = keys.get(rnd.nextInt(keys.size()));
      byte[] v = rnd.nextInt(8) < deletes ? null : randomValue(rnd);
      ops.add(new java.util.AbstractMap.SimpleImmutableEntry<>(k, v));
    }
    return ops;
  }

  /** The updates of a batch of operations: the last one per key wins, sorted by key hash. */
  private static List<SparseMerkleTree.Update> updates(List<Map.Entry<String, byte[]>> ops) {
    Map<String, byte[]> last = new LinkedHashMap<>();
    Set<String> deleted = new HashSet<>();
    for (Map.Entry<String, byte[]> op : ops) {
      last.put(op.getKey(), op.getValue());
      if (op.getValue() == null) {
        deleted.add(op.getKey());
      } else {
        deleted.remove(op.getKey());
      }
    }
    List<SparseMerkleTree.Update> out = new ArrayList<>();
    for (Map.Entry<String, byte[]> e : last.entrySet()) {
      out.add(new SparseMerkleTree.Update(kh(e.getKey()), bytes(e.getKey()), e.getValue()));
    }
    out.sort((a, b) -> Arrays.compareUnsigned(a.keyHash(), b.keyHash()));
    return out;
  }

  private static void applyToModel(Map<String, byte[]> model, List<Map.Entry<String, byte[]>> ops) {
    for (Map.Entry<String, byte[]> op : ops) {
      if (op.getValue() == null) {
        model.remove(op.getKey());
      } else {
        model.put(op.getKey(), op.getValue());
      }
    }
  }

  /** Commits every uncommitted layer of a view, optionally pruning. */
  private static void commit(InMemoryNodeStore store, StateView view, long pruneUpTo) {
    List<Layer> layers = view.pendingLayers();
    store.commit(new NodeStore.Commit(-1, layers, List.of(), Long.MAX_VALUE, pruneUpTo, 0));
    layers.forEach(Layer::markCommitted);
  }

  private static NodeStore.RootRecord record(long height, StateView v) {
    return new NodeStore.RootRecord(
        height, v.version(), v.root() == null ? null : v.root().key(), v.rootHash());
  }

  /** Checks a view against the oracle and the model: root, reads of present and absent keys. */
  private static void check(StateView view, Map<String, byte[]> model, String what) {
    assertArrayEquals(SparseMerkleTreeOracle.root(model), view.rootHash(), what + ": root");
    for (Map.Entry<String, byte[]> e : model.entrySet()) {
      byte[] got = view.get(kh(e.getKey()));
      assertNotNull(got, what + ": get(" + e.getKey() + ") is missing");
      assertArrayEquals(e.getValue(), got, what + ": get(" + e.getKey() + ")");
    }
    for (int i = 0; i < 6; i++) {
      assertNull(view.get(kh(ABSENT.get(i))), what + ": get of an absent key");
    }
    for (String k : DEEP) {
      if (!model.containsKey(k)) {
        assertNull(view.get(kh(k)), what + ": get(" + k + ") of a deleted or unwritten key");
      }
    }
    List<String> visited = new ArrayList<>();
    view.forEach(
        l -> {
          String k = new String(l.key(), StandardCharsets.UTF_8);
          assertArrayEquals(kh(k), l.keyHash(), what + ": leaf key hash of " + k);
          assertArrayEquals(model.get(k), l.value(), what + ": leaf value of " + k);
          visited.add(k);
        });
    List<String> expected = new ArrayList<>(model.keySet());
    expected.sort((a, b) -> Arrays.compareUnsigned(kh(a), kh(b)));
    assertEquals(expected, visited, what + ": forEach visits every leaf in key hash order");
  }

  /** A view and the content it must hold. */
  private record Snapshot(StateView view, Map<String, byte[]> content) {}

  @Test
  void apply_randomBatchesThroughLayersAndCommits_rootAndReadsMatchOracle() {
    qt().withFixedSeed(20_261_206_01L)
        .withExamples(EXAMPLES)
        .forAll(longs().all(), integers().between(0, 3))
        .checkAssert(
            (seed, kind) -> {
              Random rnd = new Random(seed);
              List<String> keys = pool(kind);
              InMemoryNodeStore store = new InMemoryNodeStore();
              StateView view = StateView.empty(store);
              TreeMap<String, byte[]> model = new TreeMap<>();
              List<Snapshot> history = new ArrayList<>();
              history.add(new Snapshot(view, new TreeMap<>(model)));
              check(view, model, "empty");
              int batches = 1 + rnd.nextInt(30);
              for (int b = 0; b < batches; b++) {
                if (rnd.nextInt(10) == 0) { // a fork from an earlier version
                  Snapshot s = history.get(rnd.nextInt(history.size()));
                  view = s.view();
                  model = new TreeMap<>(s.content());
                }
                List<Map.Entry<String, byte[]>> ops =
                    randomOps(rnd, keys, 1 + rnd.nextInt(rnd.nextBoolean() ? 4 : 25));
                view = view.apply(updates(ops));
                applyToModel(model, ops);
                String what = "seed " + seed + " pool " + kind + " batch " + b;
                check(view, model, what);
                if (rnd.nextInt(3) == 0) {
                  commit(store, view, -1);
                  check(view, model, what + " after commit");
                }
                history.add(new Snapshot(view, new TreeMap<>(model)));
              }
              // Versions, not copies: every earlier view still reads its own content.
              for (int i = 0; i < history.size(); i++) {
                check(history.get(i).view(), history.get(i).content(), "seed " + seed + " v" + i);
              }
            });
  }

  @Test
  void apply_sameFinalContentInDifferentBatches_sameRoot() {
    qt().withFixedSeed(20_261_206_02L)
        .withExamples(EXAMPLES)
        .forAll(longs().all(), integers().between(0, 3))
        .checkAssert(
            (seed, kind) -> {
              Random rnd = new Random(seed);
              List<Map.Entry<String, byte[]>> ops =
                  randomOps(rnd, pool(kind), 1 + rnd.nextInt(120));
              TreeMap<String, byte[]> model = new TreeMap<>();
              applyToModel(model, ops);
              // One batching: random sizes, random commits.
              InMemoryNodeStore s1 = new InMemoryNodeStore();
              StateView a = StateView.empty(s1);
              for (int i = 0; i < ops.size(); ) {
                int j = Math.min(ops.size(), i + 1 + rnd.nextInt(12));
                a = a.apply(updates(ops.subList(i, j)));
                if (rnd.nextBoolean()) {
                  commit(s1, a, -1);
                }
                i = j;
              }
              // Another: one operation per version.
              InMemoryNodeStore s2 = new InMemoryNodeStore();
              StateView b = StateView.empty(s2);
              for (Map.Entry<String, byte[]> op : ops) {
                b = b.apply(updates(List.of(op)));
              }
              // And the final content written at once, in a random order of keys.
              List<Map.Entry<String, byte[]>> shuffled = new ArrayList<>(model.entrySet());
              java.util.Collections.shuffle(shuffled, rnd);
              StateView c = StateView.empty(new InMemoryNodeStore()).apply(updates(shuffled));
              String what = "seed " + seed + " pool " + kind;
              assertArrayEquals(c.rootHash(), a.rootHash(), what + ": random batches");
              assertArrayEquals(c.rootHash(), b.rootHash(), what + ": one op per version");
              check(a, model, what + ": random batches");
              check(b, model, what + ": one op per version");
              check(c, model, what + ": at once");
            });
  }

  @Test
  void commit_rollbackAfterVersion_viewOfThatVersionReadsTheSame() {
    qt().withFixedSeed(20_261_206_03L)
        .withExamples(EXAMPLES)
        .forAll(longs().all(), integers().between(0, 3))
        .checkAssert(
            (seed, kind) -> {
              Random rnd = new Random(seed);
              List<String> keys = pool(kind);
              InMemoryNodeStore store = new InMemoryNodeStore();
              StateView view = StateView.empty(store);
              TreeMap<String, byte[]> model = new TreeMap<>();
              List<Snapshot> history = new ArrayList<>();
              int batches = 2 + rnd.nextInt(15);
              for (int b = 0; b < batches; b++) {
                List<Map.Entry<String, byte[]>> ops = randomOps(rnd, keys, 1 + rnd.nextInt(15));
                view = view.apply(updates(ops));
                applyToModel(model, ops);
                if (rnd.nextInt(3) == 0) {
                  commit(store, view, -1);
                }
                history.add(new Snapshot(view, new TreeMap<>(model)));
              }
              commit(store, view, -1);
              int k = rnd.nextInt(history.size() - 1);
              Snapshot kept = history.get(k);
              String what = "seed " + seed + " pool " + kind + " back to " + k;
              store.commit(
                  new NodeStore.Commit(
                      kept.view().version(), List.of(), List.of(), Long.MAX_VALUE, -1, 0));
              check(kept.view(), kept.content(), what + ": the old view");
              StateView reread = StateView.committed(store, record(k, kept.view()));
              check(reread, kept.content(), what + ": re-read from its record");
              for (int i = 0; i < k; i++) {
                check(history.get(i).view(), history.get(i).content(), what + ": older " + i);
              }
              // The store goes on from there.
              TreeMap<String, byte[]> m = new TreeMap<>(kept.content());
              StateView v = reread;
              for (int b = 0; b < 3; b++) {
                List<Map.Entry<String, byte[]>> ops = randomOps(rnd, keys, 1 + rnd.nextInt(10));
                v = v.apply(updates(ops));
                applyToModel(m, ops);
                commit(store, v, -1);
                check(v, m, what + ": new branch " + b);
              }
              check(reread, kept.content(), what + ": after the new branch");
              // The rolled-back versions' stale marks are gone with them, the kept ones stay:
              // pruned up to the newest version, the store holds exactly the newest tree.
              store.commit(
                  new NodeStore.Commit(-1, List.of(), List.of(), Long.MAX_VALUE, v.version(), 0));
              Set<NodeKey> reachable = new HashSet<>();
              SparseMerkleTree.forEach(
                  key -> {
                    reachable.add(key);
                    return store.node(key);
                  },
                  v.root(),
                  leaf -> {});
              assertEquals(reachable.size(), store.nodeCount(), what + ": nodes left");
              check(v, m, what + ": newest, pruned");
            });
  }

  private static final java.util.concurrent.atomic.AtomicInteger PRUNED_SOME =
      new java.util.concurrent.atomic.AtomicInteger();

  @Test
  void commit_pruneUpToVersion_laterVersionsReadFullyWithFewerNodes() {
    PRUNED_SOME.set(0);
    qt().withFixedSeed(20_261_206_04L)
        .withExamples(EXAMPLES)
        .forAll(longs().all(), integers().between(0, 3))
        .checkAssert(
            (seed, kind) -> {
              Random rnd = new Random(seed);
              List<String> keys = pool(kind);
              InMemoryNodeStore pruned = new InMemoryNodeStore();
              InMemoryNodeStore full = new InMemoryNodeStore();
              StateView p = StateView.empty(pruned);
              StateView f = StateView.empty(full);
              TreeMap<String, byte[]> model = new TreeMap<>();
              List<Snapshot> history = new ArrayList<>();
              long pruneUpTo = -1;
              int staleUpToPrune = 0;
              Map<Long, Integer> staleByVersion = new HashMap<>();
              int batches = 2 + rnd.nextInt(20);
              for (int b = 0; b < batches; b++) {
                List<Map.Entry<String, byte[]>> ops = randomOps(rnd, keys, 1 + rnd.nextInt(15));
                List<SparseMerkleTree.Update> ups = updates(ops);
                p = p.apply(ups);
                f = f.apply(ups);
                if (p.layer() != null) {
                  staleByVersion.put(p.version(), p.layer().stale().size());
                }
                applyToModel(model, ops);
                history.add(new Snapshot(p, new TreeMap<>(model)));
                if (rnd.nextInt(3) > 0 || b == batches - 1) {
                  // Prune up to a version some batches back (or the newest).
                  int back = rnd.nextInt(Math.min(3, history.size()));
                  long upTo = history.get(history.size() - 1 - back).view().version();
                  commit(pruned, p, upTo);
                  pruneUpTo = Math.max(pruneUpTo, upTo);
                  commit(full, f, -1);
                }
              }
              String what = "seed " + seed + " pool " + kind + " pruned up to " + pruneUpTo;
              int kept = 0;
              for (int i = 0; i < history.size(); i++) {
                Snapshot s = history.get(i);
                if (s.view().version() >= pruneUpTo) {
                  kept++;
                  check(s.view(), s.content(), what + ": version " + s.view().version());
                  check(
                      StateView.committed(pruned, record(i, s.view())),
                      s.content(),
                      what + ": re-read version " + s.view().version());
                }
              }
              assertThat(kept).isPositive();
              for (Map.Entry<Long, Integer> e : staleByVersion.entrySet()) {
                if (e.getKey() <= pruneUpTo) {
                  staleUpToPrune += e.getValue();
                }
              }
              if (staleUpToPrune > 0) {
                assertThat(pruned.nodeCount()).as(what).isLessThan(full.nodeCount());
                PRUNED_SOME.incrementAndGet();
              } else {
                assertThat(pruned.nodeCount()).as(what).isEqualTo(full.nodeCount());
              }
              // Pruned up to the newest version, the store holds exactly the newest tree.
              commit(pruned, p, p.version());
              Set<NodeKey> reachable = new HashSet<>();
              SparseMerkleTree.forEach(
                  key -> {
                    reachable.add(key);
                    return pruned.node(key);
                  },
                  p.root(),
                  leaf -> {});
              assertEquals(reachable.size(), pruned.nodeCount(), what + ": nodes left");
              check(p, model, what + ": newest");
            });
    assertThat(PRUNED_SOME.get())
        .as("examples where pruning deleted nodes")
        .isGreaterThan(EXAMPLES / 2);
  }

  // ---------------------------------------------------------------- proofs

  /** A random tree and its content. */
  private static Snapshot randomTree(Random rnd, int kind) {
    InMemoryNodeStore store = new InMemoryNodeStore();
    StateView view = StateView.empty(store);
    TreeMap<String, byte[]> model = new TreeMap<>();
    int batches = rnd.nextInt(6);
    for (int b = 0; b < batches; b++) {
      List<Map.Entry<String, byte[]>> ops = randomOps(rnd, pool(kind), 1 + rnd.nextInt(30));
      view = view.apply(updates(ops));
      applyToModel(model, ops);
      if (rnd.nextBoolean()) {
        commit(store, view, -1);
      }
    }
    return new Snapshot(view, model);
  }

  private static boolean verify(
      byte[] root, byte[] keyHash, byte[] value, SparseMerkleTree.Path p) {
    Node.Leaf l = p.leaf();
    return SparseMerkleTreeOracle.verify(
        root,
        keyHash,
        value,
        p.siblings(),
        l == null ? null : l.keyHash(),
        l == null ? null : l.value());
  }

  private static byte[] flip(byte[] b, int bit) {
    byte[] c = b.clone();
    c[bit / 8] ^= (byte) (0x80 >>> (bit % 8));
    return c;
  }

  /**
   * Checks the proof of one key: it shows what the model says, not the opposite, and no proof with
   * one bit flipped in a sibling, the value or the leaf's key hash shows either.
   */
  private static void checkProof(
      Snapshot t, String key, byte[] value, Random rnd, boolean everyBit, String what) {
    byte[] root = t.view().rootHash();
    byte[] h = kh(key);
    SparseMerkleTree.Path p = t.view().prove(h);
    SparseMerkleTree.Path q = SparseMerkleTree.prove(t.view(), t.view().root(), h);
    assertEquals(p.siblings().size(), q.siblings().size(), what);
    assertTrue(verify(root, h, value, p), what + ": the proof shows the model's answer");
    LONGEST_PATH.accumulateAndGet(p.siblings().size(), Math::max);
    assertTrue(verify(root, h, value, q), what + ": SparseMerkleTree.prove");
    byte[] other = value == null ? new byte[] {7} : null;
    assertFalse(verify(root, h, other, p), what + ": the proof shows the opposite");
    if (value != null) {
      assertFalse(verify(root, h, flip(concat(value), 0), p), what + ": another value");
    }
    for (int i = 0; i < p.siblings().size(); i++) {
      for (int bit = 0; bit < 256; bit++) {
        if (!everyBit && rnd.nextInt(128) != 0) { // two bits a sibling on average
          continue;
        }
        List<byte[]> s = new ArrayList<>(p.siblings());
        s.set(i, flip(s.get(i), bit));
        SparseMerkleTree.Path m = new SparseMerkleTree.Path(s, p.leaf());
        assertFalse(verify(root, h, value, m), what + ": sibling " + i + " bit " + bit);
        assertFalse(verify(root, h, other, m), what + ": sibling " + i + " bit " + bit);
      }
    }
    Node.Leaf l = p.leaf();
    if (l != null) {
      for (int bit = 0; bit < 8 * Math.max(1, l.value().length); bit++) {
        if (!everyBit && bit != 0 && rnd.nextInt(16) != 0) {
          continue;
        }
        byte[] v = l.value().length == 0 ? new byte[] {1} : flip(l.value(), bit);
        SparseMerkleTree.Path m =
            new SparseMerkleTree.Path(p.siblings(), new Node.Leaf(l.keyHash(), l.key(), v));
        assertFalse(verify(root, h, v, m), what + ": value bit " + bit);
        assertFalse(verify(root, h, value, m), what + ": value bit " + bit);
        assertFalse(verify(root, h, null, m), what + ": value bit " + bit);
      }
      for (int bit = 0; bit < 256; bit++) {
        if (!everyBit && bit != 0 && bit != 255 && rnd.nextInt(16) != 0) {
          continue;
        }
        byte[] fh = flip(l.keyHash(), bit);
        SparseMerkleTree.Path m =
            new SparseMerkleTree.Path(p.siblings(), new Node.Leaf(fh, l.key(), l.value()));
        assertFalse(verify(root, h, value, m), what + ": leaf key hash bit " + bit);
        assertFalse(verify(root, h, other, m), what + ": leaf key hash bit " + bit);
        assertFalse(verify(root, fh, l.value(), m), what + ": leaf key hash bit " + bit);
      }
    }
  }

  private static byte[] concat(byte[] v) {
    return v.length == 0 ? new byte[1] : v;
  }

  private static final java.util.concurrent.atomic.AtomicInteger LONGEST_PATH =
      new java.util.concurrent.atomic.AtomicInteger();

  @Test
  void prove_presentKeys_verifyWithOracleAndNoBitFlipDoes() {
    qt().withFixedSeed(20_261_206_05L)
        .withExamples(EXAMPLES)
        .forAll(longs().all(), integers().between(0, 3))
        .checkAssert(
            (seed, kind) -> {
              Random rnd = new Random(seed);
              Snapshot t = randomTree(rnd, kind);
              String what = "seed " + seed + " pool " + kind;
              assertArrayEquals(SparseMerkleTreeOracle.root(t.content()), t.view().rootHash());
              List<String> present = new ArrayList<>(t.content().keySet());
              java.util.Collections.shuffle(present, rnd);
              // Every bit of one proof in ten examples; sampled bits otherwise.
              boolean everyBit = rnd.nextInt(10) == 0;
              for (String k : present.subList(0, Math.min(24, present.size()))) {
                checkProof(t, k, t.content().get(k), rnd, everyBit, what + " " + k);
                everyBit = false;
              }
              // A proof of one key is no proof of another present key.
              byte[] root = t.view().rootHash();
              for (int i = 0; i < Math.min(20, present.size()); i++) {
                String a = present.get(rnd.nextInt(present.size()));
                String b = present.get(rnd.nextInt(present.size()));
                if (a.equals(b)) {
                  continue;
                }
                SparseMerkleTree.Path pa = t.view().prove(kh(a));
                byte[] va = t.content().get(a);
                byte[] vb = t.content().get(b);
                assertFalse(verify(root, kh(b), va, pa), what + ": proof of " + a + " for " + b);
                assertFalse(verify(root, kh(b), vb, pa), what + ": proof of " + a + " for " + b);
                assertFalse(
                    verify(root, kh(b), null, pa), what + ": " + a + " shows " + b + " out");
              }
            });
    assertThat(LONGEST_PATH.get()).as("longest proof, in bits").isGreaterThanOrEqualTo(24);
  }

  @Test
  void prove_absentKeys_verifyWithOracleAndNoBitFlipDoes() {
    qt().withFixedSeed(20_261_206_06L)
        .withExamples(EXAMPLES)
        .forAll(longs().all(), integers().between(0, 3))
        .checkAssert(
            (seed, kind) -> {
              Random rnd = new Random(seed);
              Snapshot t = randomTree(rnd, kind);
              String what = "seed " + seed + " pool " + kind;
              assertArrayEquals(SparseMerkleTreeOracle.root(t.content()), t.view().rootHash());
              List<String> absent = new ArrayList<>(ABSENT);
              for (String k : pool(kind)) {
                if (!t.content().containsKey(k)) {
                  absent.add(k);
                }
              }
              boolean everyBit = rnd.nextInt(10) == 0;
              for (String k : absent) {
                checkProof(t, k, null, rnd, everyBit, what + " absent " + k);
                everyBit = false;
              }
            });
  }

  @Test
  void prove_emptyTreeAndSingleLeaf_verifyWithOracle() {
    StateView empty = StateView.empty(new InMemoryNodeStore());
    byte[] h = kh("x");
    SparseMerkleTree.Path p = empty.prove(h);
    assertTrue(p.siblings().isEmpty());
    assertNull(p.leaf());
    assertTrue(verify(SparseMerkleTreeOracle.EMPTY, h, null, p));
    assertFalse(verify(SparseMerkleTreeOracle.EMPTY, h, new byte[0], p));

    StateView one =
        empty.apply(List.of(new SparseMerkleTree.Update(h, bytes("x"), bytes("value"))));
    Snapshot t = new Snapshot(one, new TreeMap<>(Map.of("x", bytes("value"))));
    checkProof(t, "x", bytes("value"), new Random(1), true, "single leaf");
    checkProof(t, "y", null, new Random(2), true, "absent beside a single leaf");
  }

  /**
   * The smallest case of the bug: two keys under nibbles 0x0 and 0x8 of the root, so the root's
   * left half holds one leaf; a key under nibble 0x1 is absent and its path ends at that leaf.
   */
  @Test
  void prove_absentKeyBesideLoneLeafInsideNode_verifies() {
    String a = firstKeyWithNibble(0x0, "na");
    String b = firstKeyWithNibble(0x8, "nb");
    String absent = firstKeyWithNibble(0x1, "nc");
    StateView view =
        StateView.empty(new InMemoryNodeStore())
            .apply(updates(List.of(Map.entry(a, bytes("A")), Map.entry(b, bytes("B")))));
    SparseMerkleTree.Path p = view.prove(kh(absent));
    assertTrue(verify(view.rootHash(), kh(absent), null, p));
  }

  private static String firstKeyWithNibble(int nibble, String prefix) {
    for (int i = 0; ; i++) {
      if ((kh(prefix + i)[0] & 0xFF) >>> 4 == nibble) {
        return prefix + i;
      }
    }
  }

  // ---------------------------------------------------------------- encodings

  @Test
  void nodeKey_encodeDecode_roundTripsAndOrdersByVersionFirst() {
    qt().withFixedSeed(20_261_206_07L)
        .withExamples(EXAMPLES)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random rnd = new Random(seed);
              NodeKey[] k = new NodeKey[2];
              long[] versions = new long[2];
              for (int i = 0; i < 2; i++) {
                versions[i] =
                    rnd.nextBoolean() ? 1 + rnd.nextInt(1000) : 1 + (rnd.nextLong() >>> 2);
                int depth = rnd.nextInt(65);
                byte[] h = new byte[32];
                rnd.nextBytes(h);
                k[i] =
                    depth == 0 && rnd.nextBoolean()
                        ? NodeKey.root(versions[i])
                        : NodeKey.of(versions[i], h, depth);
                NodeKey d = NodeKey.decode(k[i].bytes().clone());
                assertEquals(k[i], d);
                assertEquals(k[i].hashCode(), d.hashCode());
                assertEquals(0, k[i].compareTo(d));
                assertEquals(versions[i], d.version());
                assertEquals(depth, d.depth());
                assertArrayEquals(k[i].bytes(), d.bytes());
                // The path is the first `depth` nibbles of h.
                String s = d.toString();
                StringBuilder nibbles = new StringBuilder();
                for (int n = 0; n < depth; n++) {
                  nibbles.append(Character.forDigit(SparseMerkleTree.nibble(h, n), 16));
                }
                assertEquals(versions[i] + ":" + nibbles, s);
              }
              if (versions[0] != versions[1]) {
                assertEquals(
                    Long.signum(Long.compare(versions[0], versions[1])),
                    Integer.signum(k[0].compareTo(k[1])),
                    k[0] + " vs " + k[1]);
                assertTrue(
                    k[0].compareTo(NodeKey.root(versions[0] + 1)) < 0, "below the next version");
                assertTrue(k[0].compareTo(NodeKey.root(versions[0])) >= 0, "from its root");
              }
            });
  }

  @Test
  void nodeKey_decodeOfRandomBytes_keyOrIllegalArgument() {
    qt().withFixedSeed(20_261_206_08L)
        .withExamples(EXAMPLES)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random rnd = new Random(seed);
              for (int i = 0; i < 20; i++) {
                byte[] b = new byte[rnd.nextInt(45)];
                rnd.nextBytes(b);
                if (b.length > 8 && rnd.nextBoolean()) {
                  b[8] = (byte) rnd.nextInt(70); // a plausible depth
                }
                try {
                  NodeKey k = NodeKey.decode(b);
                  assertArrayEquals(b, k.bytes());
                } catch (IllegalArgumentException expected) {
                  // rejected
                }
              }
            });
    assertThatThrownBy(() -> NodeKey.decode(new byte[8]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> NodeKey.of(0, new byte[32], 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> NodeKey.of(1, new byte[32], 65))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** Bytes {@link NodeKey#of} never makes: one node position must have one encoding. */
  @Test
  void nodeKey_decodeOfNonCanonicalBytes_illegalArgument() {
    byte[] strayNibble = NodeKey.of(5, kh("x"), 1).bytes().clone();
    strayNibble[9] |= 0x0F;
    assertThatThrownBy(() -> NodeKey.decode(strayNibble))
        .isInstanceOf(IllegalArgumentException.class);
    byte[] versionZero = NodeKey.root(1).bytes().clone();
    versionZero[7] = 0;
    assertThatThrownBy(() -> NodeKey.decode(versionZero))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void nodeDecode_randomAndMutatedBytes_reencodesOrIllegalArgument() {
    qt().withFixedSeed(20_261_206_09L)
        .withExamples(EXAMPLES)
        .forAll(longs().all(), integers().between(0, 3))
        .checkAssert(
            (seed, kind) -> {
              Random rnd = new Random(seed);
              List<SparseMerkleTree.Update> ups =
                  updates(randomOps(rnd, pool(kind), 2 + rnd.nextInt(30)));
              SparseMerkleTree.Batch batch = SparseMerkleTree.update(key -> null, null, 1, ups);
              List<byte[]> valid = new ArrayList<>();
              for (Node n : batch.written().values()) {
                byte[] e = n.encode();
                Node d = Node.decode(e);
                assertEquals(n, d);
                assertArrayEquals(n.hash(), d.hash(), "hash of the decoded node");
                assertArrayEquals(e, d.encode());
                valid.add(e);
              }
              for (int i = 0; i < 30; i++) {
                byte[] b;
                int how = rnd.nextInt(5);
                if (valid.isEmpty() || how == 0) {
                  b = new byte[rnd.nextInt(120)];
                  rnd.nextBytes(b);
                  if (b.length > 0 && rnd.nextBoolean()) {
                    b[0] = (byte) (1 + rnd.nextInt(2));
                  }
                } else {
                  b = valid.get(rnd.nextInt(valid.size())).clone();
                  if (how == 1) {
                    b = Arrays.copyOf(b, rnd.nextInt(b.length + 1)); // truncated
                  } else if (how == 2) {
                    b = Arrays.copyOf(b, b.length + 1 + rnd.nextInt(8)); // extended
                  } else {
                    int flips = 1 + rnd.nextInt(3);
                    for (int f = 0; f < flips; f++) {
                      int at = rnd.nextInt(Math.min(b.length, how == 3 ? 8 : b.length));
                      b[at] = how == 3 ? (byte) rnd.nextInt(256) : (byte) (b[at] ^ 1 << f);
                    }
                  }
                }
                try {
                  Node n = Node.decode(b);
                  assertArrayEquals(b, n.encode(), "decoded node re-encodes to its bytes");
                } catch (IllegalArgumentException expected) {
                  // rejected
                } catch (RuntimeException e) {
                  fail("Node.decode threw " + e + " for " + Arrays.toString(b));
                }
              }
            });
  }
}
