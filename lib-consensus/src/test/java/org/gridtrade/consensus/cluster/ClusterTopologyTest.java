package org.gridtrade.consensus.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.PublicKey;
import org.junit.jupiter.api.Test;

class ClusterTopologyTest {
  private static final PublicKey K = ClusterFixtures.key(1).publicKey();

  private static MeterCluster cluster(String id, int parent, double x, double y, int meters) {
    Map<String, PublicKey> ms = new java.util.HashMap<>();
    for (int m = 0; m < meters; m++) {
      ms.put(id + "-m" + m, K);
    }
    return new MeterCluster(id, ClusterFixtures.key(parent).address(), x, y, ms);
  }

  private static Address parent(int i) {
    return ClusterFixtures.key(i).address();
  }

  @Test
  void neighbours_nearestThreeOtherClusters() {
    ClusterTopology t =
        ClusterTopology.of(
            List.of(
                cluster("a", 1, 0, 0, 4),
                cluster("b", 2, 1, 0, 4),
                cluster("c", 3, 2, 0, 4),
                cluster("d", 4, 3, 0, 4),
                cluster("e", 5, 10, 0, 4)));
    assertThat(t.neighbours("a")).containsExactly(parent(2), parent(3), parent(4));
    assertThat(t.neighbours("e")).containsExactly(parent(4), parent(3), parent(2));
    assertThat(t.neighbours("c")).containsExactly(parent(2), parent(4), parent(1));
    assertThat(t.isNeighbour("a", parent(5))).isFalse();
    assertThat(t.isNeighbour("a", parent(1))).as("never its own parent").isFalse();
  }

  @Test
  void neighbours_atEqualDistance_moreMetersFirst_thenLowerId() {
    ClusterTopology t =
        ClusterTopology.of(
            List.of(
                cluster("home", 1, 0, 0, 4),
                cluster("east", 2, 1, 0, 2),
                cluster("west", 3, -1, 0, 4),
                cluster("north", 4, 0, 1, 4),
                cluster("south", 5, 0, -1, 3)));
    // All four at 1 km: 4 meters (north < west by id), then 3 (south); east (2 meters) is left out.
    assertThat(t.neighbours("home")).containsExactly(parent(4), parent(3), parent(5));
  }

  @Test
  void singleCluster_hasNoNeighbours_andFewerNeighboursCanBeAsked() {
    assertThat(ClusterTopology.of(List.of(cluster("a", 1, 0, 0, 4))).neighbours("a")).isEmpty();
    ClusterFixtures f = new ClusterFixtures(5, 4);
    assertThat(ClusterTopology.of(f.clusters, 1).neighbours("c0")).containsExactly(parent(1001));
    assertThat(f.topology().clusterOfMeter("c3-m2")).contains("c3");
    assertThat(f.topology().clusterOfMeter("nope")).isEmpty();
  }

  @Test
  void badInput_rejectedNamingTheValueAndRule() {
    assertThatThrownBy(
            () -> ClusterTopology.of(List.of(cluster("a", 1, 0, 0, 1), cluster("a", 2, 1, 0, 1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cluster id a appears twice");
    assertThatThrownBy(
            () -> ClusterTopology.of(List.of(cluster("a", 1, 0, 0, 1), cluster("b", 1, 1, 0, 1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a node is the parent of one cluster");
    MeterCluster a = new MeterCluster("a", parent(1), 0, 0, Map.of("m", K));
    MeterCluster b = new MeterCluster("b", parent(2), 0, 0, Map.of("m", K));
    assertThatThrownBy(() -> ClusterTopology.of(List.of(a, b)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("meter m is in clusters a and b");
    assertThatThrownBy(() -> ClusterTopology.of(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("clusters is empty");
    assertThatThrownBy(() -> ClusterTopology.of(List.of(a), 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxNeighbours 4 not in 1..3");
    assertThatThrownBy(() -> new MeterCluster("x", parent(1), Double.NaN, 0, Map.of("m", K)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be finite");
    assertThatThrownBy(() -> new MeterCluster("x", parent(1), 0, 0, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has 0 meters");
    assertThatThrownBy(() -> new MeterCluster("", parent(1), 0, 0, Map.of("m", K)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not 1..64");
    assertThatThrownBy(() -> ClusterTopology.of(List.of(a)).neighbours("zzz"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no cluster with id zzz");
  }

  /** Random grids on a small integer lattice, so that equal distances (ties) are common. */
  private static List<MeterCluster> randomGrid(Random rnd) {
    int n = 1 + rnd.nextInt(12);
    List<MeterCluster> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(
          cluster(
              "k" + rnd.nextInt(1000) + "-" + i,
              100 + i,
              rnd.nextInt(5) - 2,
              rnd.nextInt(5) - 2,
              1 + rnd.nextInt(4)));
    }
    return out;
  }

  /** Exact squared distance on the integer lattice, independent of the double arithmetic. */
  private static BigInteger d2(MeterCluster a, MeterCluster b) {
    BigInteger dx = BigInteger.valueOf((long) a.xKm() - (long) b.xKm());
    BigInteger dy = BigInteger.valueOf((long) a.yKm() - (long) b.yKm());
    return dx.multiply(dx).add(dy.multiply(dy));
  }

  /** Whether candidate {@code x} should be preferred to {@code y} as a neighbour of {@code c}. */
  private static boolean better(MeterCluster c, MeterCluster x, MeterCluster y) {
    int byDistance = d2(c, x).compareTo(d2(c, y));
    if (byDistance != 0) {
      return byDistance < 0;
    }
    if (x.meters().size() != y.meters().size()) {
      return x.meters().size() > y.meters().size();
    }
    return x.id().compareTo(y.id()) < 0;
  }

  @Test
  void property_neighbours_deterministic_neverOwnCluster_andNoLeftOutClusterIsBetter() {
    qt().withFixedSeed(20261121L)
        .withExamples(300)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random rnd = new Random(seed);
              List<MeterCluster> grid = randomGrid(rnd);
              ClusterTopology t = ClusterTopology.of(grid);
              List<MeterCluster> shuffled = new ArrayList<>(grid);
              Collections.shuffle(shuffled, rnd);
              ClusterTopology again = ClusterTopology.of(shuffled);
              for (MeterCluster c : grid) {
                List<Address> n = t.neighbours(c.id());
                assertThat(again.neighbours(c.id())).as("input order").isEqualTo(n);
                assertThat(n).doesNotContain(c.parent());
                assertThat(n).hasSize(Math.min(3, grid.size() - 1));
                assertThat(new HashSet<>(n)).hasSameSizeAs(n);
                List<MeterCluster> chosen =
                    n.stream()
                        .map(a -> grid.stream().filter(o -> o.parent().equals(a)).findFirst())
                        .map(java.util.Optional::orElseThrow)
                        .toList();
                for (int i = 1; i < chosen.size(); i++) {
                  assertThat(better(c, chosen.get(i - 1), chosen.get(i))).as("best first").isTrue();
                }
                for (MeterCluster other : grid) {
                  if (other != c && !chosen.contains(other)) {
                    for (MeterCluster ch : chosen) {
                      assertThat(better(c, other, ch))
                          .as("left-out %s beats chosen %s", other.id(), ch.id())
                          .isFalse();
                    }
                  }
                }
              }
            });
  }
}
