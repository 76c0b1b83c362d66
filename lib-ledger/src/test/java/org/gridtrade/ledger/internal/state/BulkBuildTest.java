package org.gridtrade.ledger.internal.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The bulk build gives the tree the batch update gives, written once, in bounded steps. */
class BulkBuildTest {

  private static Node.Leaf leaf(String key, byte[] value) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    return new Node.Leaf(SparseMerkleTreeOracle.keyHash(key), k, value);
  }

  @Test
  void property_bulkBuild_equalsOracleAndBatchUpdate_andEveryKeyReads() {
    qt().withFixedSeed(1207)
        .withExamples(120)
        .forAll(integers().between(0, 2_500), integers().all())
        .checkAssert(
            (n, seed) -> {
              Random rnd = new Random(seed);
              Map<String, byte[]> content = new HashMap<>();
              // Few distinct names for small n (dense prefixes), many for large.
              for (int i = 0; i < n; i++) {
                byte[] v = new byte[rnd.nextInt(40)];
                rnd.nextBytes(v);
                content.put("k" + rnd.nextInt(Math.max(1, n * 2)), v);
              }
              List<Node.Leaf> leaves = new ArrayList<>();
              content.forEach((k, v) -> leaves.add(leaf(k, v)));
              leaves.sort((a, b) -> Arrays.compareUnsigned(a.keyHash(), b.keyHash()));
              InMemoryNodeStore store = new InMemoryNodeStore();
              Map<NodeKey, Node> written = new LinkedHashMap<>();
              long v = store.allocateVersion();
              SparseMerkleTree.Ptr root =
                  SparseMerkleTree.bulkBuild(
                      leaves.iterator(),
                      v,
                      (key, node) -> {
                        assertThat(written.put(key, node)).as("written once: %s", key).isNull();
                        store.bulkPut(key, node);
                      });
              byte[] expected = SparseMerkleTreeOracle.root(content);
              assertThat(SparseMerkleTree.rootHash(root)).isEqualTo(expected);
              // The same content through the batch update of an empty tree.
              List<SparseMerkleTree.Update> ups = new ArrayList<>();
              for (Node.Leaf l : leaves) {
                ups.add(new SparseMerkleTree.Update(l.keyHash(), l.key(), l.value()));
              }
              StateView batch = StateView.empty(new InMemoryNodeStore()).apply(ups);
              assertThat(batch.rootHash()).isEqualTo(expected);
              // Same nodes as the batch update writes (the invariant makes the tree unique).
              assertThat(written.size())
                  .isEqualTo(batch.layer() == null ? 0 : batch.layer().nodes().size());
              StateView view = StateView.stored(store, root, v);
              content.forEach(
                  (k, val) ->
                      assertThat(view.get(SparseMerkleTreeOracle.keyHash(k))).isEqualTo(val));
              assertThat(view.get(SparseMerkleTreeOracle.keyHash("absent"))).isNull();
              // And it keeps working as a base for updates.
              if (!content.isEmpty()) {
                String some = content.keySet().iterator().next();
                Map<String, byte[]> after = new HashMap<>(content);
                after.remove(some);
                StateView next =
                    view.apply(
                        List.of(
                            new SparseMerkleTree.Update(
                                SparseMerkleTreeOracle.keyHash(some),
                                some.getBytes(StandardCharsets.UTF_8),
                                null)));
                assertThat(next.rootHash()).isEqualTo(SparseMerkleTreeOracle.root(after));
              }
            });
  }

  @Test
  void bulkBuild_unsortedOrDuplicateLeaves_illegalArgument() {
    List<Node.Leaf> leaves = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      leaves.add(leaf("u" + i, new byte[] {(byte) i}));
    }
    leaves.sort((a, b) -> Arrays.compareUnsigned(b.keyHash(), a.keyHash())); // descending
    assertThatThrownBy(() -> SparseMerkleTree.bulkBuild(leaves.iterator(), 1, (k, n) -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("strictly ascending");
    Node.Leaf one = leaf("dup", new byte[] {1});
    assertThatThrownBy(
            () -> SparseMerkleTree.bulkBuild(List.of(one, one).iterator(), 1, (k, n) -> {}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void externalSorter_spillsAndMerges_inOrder() {
    Random rnd = new Random(5);
    List<byte[]> all = new ArrayList<>();
    try (ExternalSorter s = new ExternalSorter(12, 8, 1_000)) {
      for (int i = 0; i < 7_777; i++) {
        byte[] r = new byte[12];
        rnd.nextBytes(r);
        all.add(r);
        s.add(r);
      }
      List<byte[]> out = new ArrayList<>();
      s.sorted().forEachRemaining(out::add);
      all.sort((a, b) -> Arrays.compareUnsigned(a, 0, 8, b, 0, 8));
      assertThat(out).hasSize(all.size());
      for (int i = 0; i < out.size(); i++) {
        assertThat(Arrays.compareUnsigned(out.get(i), 0, 8, all.get(i), 0, 8)).isZero();
      }
    }
  }
}
