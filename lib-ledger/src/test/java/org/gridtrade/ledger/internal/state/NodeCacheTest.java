package org.gridtrade.ledger.internal.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The node cache against a model: a hit is always the node stored under that key, at most {@code
 * capacity} nodes are held, and a node touched within the last {@code capacity / 2} distinct
 * insertions or hits is never missing.
 */
class NodeCacheTest {

  private static NodeKey key(int i) {
    byte[] path = new byte[32];
    path[0] = (byte) (i >>> 24);
    path[1] = (byte) (i >>> 16);
    path[2] = (byte) (i >>> 8);
    path[3] = (byte) i;
    return NodeKey.of(1 + (i % 7), path, 8);
  }

  private static Node.Leaf node(int i) {
    String k = "k" + i;
    return new Node.Leaf(
        SparseMerkleTreeOracle.keyHash(k),
        k.getBytes(StandardCharsets.UTF_8),
        new byte[] {(byte) i});
  }

  @Test
  void property_hitsAreTheStoredNode_sizeIsBounded_recentNodesStay() {
    qt().withFixedSeed(2026)
        .withExamples(200)
        .forAll(integers().between(0, 64), integers().all())
        .checkAssert(
            (capacity, seed) -> {
              Random rnd = new Random(seed);
              NodeCache cache = new NodeCache(capacity);
              Map<NodeKey, Node> stored = new HashMap<>();
              // The model of recency: the keys put or hit, most recent last, each once; a removed
              // key leaves a placeholder, since it took its place in the cache before it went.
              List<Object> recent = new ArrayList<>();
              int keys = 1 + rnd.nextInt(3 * Math.max(1, capacity));
              for (int step = 0; step < 600; step++) {
                int i = rnd.nextInt(keys);
                NodeKey k = key(i);
                int op = rnd.nextInt(10);
                if (op < 5) {
                  Node n = cache.get(k);
                  if (n != null) {
                    assertThat(n).isSameAs(stored.get(k));
                    recent.remove(k);
                    recent.add(k);
                  } else {
                    int at = recent.indexOf(k);
                    assertThat(at < 0 || recent.size() - at > capacity / 2)
                        .as(
                            "key %d touched %d touches ago is missing (capacity %d)",
                            i, recent.size() - at, capacity)
                        .isTrue();
                  }
                } else if (op < 9) {
                  Node n = node(i);
                  stored.put(k, n);
                  cache.put(k, n);
                  recent.remove(k);
                  if (capacity / 2 > 0) {
                    recent.add(k);
                  }
                } else if (op == 9 && rnd.nextInt(10) == 0) {
                  cache.clear();
                  recent.clear();
                } else {
                  cache.remove(k);
                  int at = recent.indexOf(k);
                  if (at >= 0) {
                    recent.set(at, new Object());
                  }
                  assertThat(cache.get(k)).isNull();
                }
                assertThat(cache.size()).isLessThanOrEqualTo(capacity);
              }
            });
  }

  @Test
  void concurrentReadersAndWriters_neverSeeAnotherKeysNode() throws Exception {
    NodeCache cache = new NodeCache(256);
    Node[] nodes = new Node[2_000];
    for (int i = 0; i < nodes.length; i++) {
      nodes[i] = node(i);
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> hits = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int seed = t;
        hits.add(
            pool.submit(
                () -> {
                  Random rnd = new Random(seed);
                  int found = 0;
                  for (int step = 0; step < 50_000; step++) {
                    int i = rnd.nextInt(nodes.length / 4);
                    if (rnd.nextBoolean()) {
                      cache.put(key(i), nodes[i]);
                    } else {
                      Node n = cache.get(key(i));
                      if (n != null) {
                        assertThat(n).isSameAs(nodes[i]);
                        found++;
                      }
                    }
                  }
                  return found;
                }));
      }
      int total = 0;
      for (Future<Integer> f : hits) {
        total += f.get();
      }
      assertThat(total).isPositive();
      // A put racing a rotation may land in either generation: each may pass half by up to the
      // three other writers.
      assertThat(cache.size()).isLessThanOrEqualTo(256 + 6);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void negativeCapacity_isRefused() {
    assertThatThrownBy(() -> new NodeCache(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("capacity -1");
  }
}
