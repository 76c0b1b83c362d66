package org.gridtrade.benchmarks;

import java.security.DigestException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.gridtrade.ledger.internal.state.InMemoryNodeStore;
import org.gridtrade.ledger.internal.state.Node;
import org.gridtrade.ledger.internal.state.SparseMerkleTree;
import org.gridtrade.ledger.internal.state.StateView;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One block's state update (1,000 changed keys among {@code keys}) on the state tree, against its
 * lower bound: the raw SHA-256 work of the nodes it must rehash, that is the binary nodes on the
 * union of the changed keys' paths in the collapsed binary tree (each {@code 0x01 ‖ left ‖ right},
 * 65 bytes) plus each changed leaf (its value's hash and {@code 0x00 ‖ keyHash ‖ valueHash}),
 * counted from the tree's own proofs. Target: update ≤ 2 × raw. Run: {@code benchmarks/run.sh full
 * StateTree}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class StateTreeBenchmark {
  /** Keys in the tree. */
  @Param({"100000", "1000000"})
  public int keys;

  private static final int CHANGED = 1_000;
  private static final int VALUE = 56;

  private StateView base;
  private List<SparseMerkleTree.Update> updates;
  private long version;
  private int branches;
  private byte[][] values;
  private byte[][] keyHashes;
  private MessageDigest md;
  private final byte[] buf = new byte[65];

  /**
   * Builds the tree and the update.
   *
   * @throws Exception never in practice
   */
  @Setup
  public void setup() throws Exception {
    md = MessageDigest.getInstance("SHA-256");
    Random r = new Random(3);
    byte[][] hashes = new byte[keys][];
    for (int i = 0; i < keys; i++) {
      hashes[i] = md.digest(("key-" + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
    Integer[] order = new Integer[keys];
    for (int i = 0; i < keys; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Arrays.compareUnsigned(hashes[a], hashes[b]));
    InMemoryNodeStore store = new InMemoryNodeStore();
    List<Node.Leaf> leaves = new ArrayList<>(keys);
    for (int i : order) {
      byte[] v = new byte[VALUE];
      r.nextBytes(v);
      leaves.add(
          new Node.Leaf(
              hashes[i], ("key-" + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII), v));
    }
    long v1 = store.allocateVersion();
    SparseMerkleTree.Ptr root = SparseMerkleTree.bulkBuild(leaves.iterator(), v1, store::bulkPut);
    base = StateView.stored(store, root, v1);
    // 1,000 distinct existing keys get new values.
    Set<Integer> picked = new HashSet<>();
    while (picked.size() < CHANGED) {
      picked.add(r.nextInt(keys));
    }
    updates = new ArrayList<>();
    for (int i : picked) {
      byte[] v = new byte[VALUE];
      r.nextBytes(v);
      updates.add(
          new SparseMerkleTree.Update(
              hashes[i], ("key-" + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII), v));
    }
    updates.sort((a, b) -> Arrays.compareUnsigned(a.keyHash(), b.keyHash()));
    version = store.allocateVersion();
    // The binary nodes to rehash: every proper prefix of each changed key's path (its depth in
    // the collapsed binary tree is its proof's sibling count), counted once.
    Set<String> prefixes = new HashSet<>();
    for (SparseMerkleTree.Update u : updates) {
      int depth = base.prove(u.keyHash()).siblings().size();
      StringBuilder bits = new StringBuilder();
      prefixes.add("");
      for (int b = 0; b < depth - 1; b++) {
        bits.append((u.keyHash()[b >>> 3] >>> (7 - (b & 7))) & 1);
        prefixes.add(bits.toString());
      }
    }
    branches = prefixes.size();
    values = new byte[CHANGED][];
    keyHashes = new byte[CHANGED][];
    for (int i = 0; i < CHANGED; i++) {
      values[i] = updates.get(i).value();
      keyHashes[i] = updates.get(i).keyHash();
    }
  }

  /**
   * The tree's batch update of 1,000 keys (new nodes in memory, nothing stored).
   *
   * @return the new root
   */
  @Benchmark
  public SparseMerkleTree.Ptr treeUpdate() {
    return SparseMerkleTree.update(base, base.root(), version, updates).root();
  }

  /**
   * Baseline: the SHA-256 work the update cannot avoid, on one digest and one buffer.
   *
   * @return the last digest
   * @throws DigestException never in practice
   */
  @Benchmark
  public byte[] rawSha256Baseline() throws DigestException {
    for (int i = 0; i < CHANGED; i++) {
      md.update(values[i]);
      md.digest(buf, 33, 32);
      buf[0] = 0;
      System.arraycopy(keyHashes[i], 0, buf, 1, 32);
      md.update(buf, 0, 65);
      md.digest(buf, 1, 32);
    }
    for (int i = 0; i < branches; i++) {
      buf[0] = 1;
      md.update(buf, 0, 65);
      md.digest(buf, 1 + (i & 1) * 32, 32);
    }
    return buf;
  }
}
