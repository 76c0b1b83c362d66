package org.gridtrade.coalition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CoalitionFormationTest {
  private static final double TOL = 1e-7;
  private static final CoalitionFormation FORMATION = CoalitionFormation.builder().build();

  private static Map<String, Double> scores(FormationResult r) {
    Map<String, Double> m = new HashMap<>();
    for (MemberScore s : r.members()) {
      m.put(s.id(), s.proofScore());
    }
    return m;
  }

  private static boolean paretoImproves(List<Coalition> parts, Map<String, Double> now) {
    boolean gain = false;
    for (Coalition c : parts) {
      for (MemberScore s : c.members()) {
        double before = now.get(s.id());
        if (s.proofScore() < before - TOL) {
          return false;
        }
        if (s.proofScore() > before + TOL) {
          gain = true;
        }
      }
    }
    return gain;
  }

  /** Exhaustive: no merge of two final coalitions and no two-part split is a Pareto improvement. */
  @Test
  void property_finalPartition_isMergeAndSplitStable_exhaustively() {
    qt().withFixedSeed(31)
        .withExamples(120)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Community c = Communities.random(seed, 2 + Math.floorMod(seed, 8));
              FormationResult r = FORMATION.form(c);
              assertThat(r.converged()).isTrue();
              Map<String, Double> now = scores(r);
              List<Coalition> cs = r.coalitions();
              for (int a = 0; a < cs.size(); a++) {
                for (int b = a + 1; b < cs.size(); b++) {
                  List<String> u = new ArrayList<>(cs.get(a).memberIds());
                  u.addAll(cs.get(b).memberIds());
                  assertThat(paretoImproves(List.of(FORMATION.evaluate(c, u)), now))
                      .as("merge of %s and %s", cs.get(a).memberIds(), cs.get(b).memberIds())
                      .isFalse();
                }
              }
              for (Coalition k : cs) {
                List<String> ids = k.memberIds();
                int m = ids.size();
                for (long mask = 1; mask < (1L << (m - 1)); mask++) {
                  List<String> x = new ArrayList<>();
                  List<String> y = new ArrayList<>();
                  for (int i = 0; i < m; i++) {
                    ((mask >>> i & 1) != 0 ? x : y).add(ids.get(i));
                  }
                  assertThat(
                          paretoImproves(
                              List.of(FORMATION.evaluate(c, x), FORMATION.evaluate(c, y)), now))
                      .as("split of %s into %s | %s", ids, x, y)
                      .isFalse();
                }
              }
            });
  }

  @Test
  void property_noMemberWorseThanAlone_andScoresNeverFall() {
    qt().withFixedSeed(32)
        .withExamples(150)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Community c = Communities.random(seed, 2 + Math.floorMod(seed, 25));
              FormationResult r = FORMATION.form(c);
              for (MemberScore s : r.members()) {
                assertThat(s.proofScore())
                    .isGreaterThanOrEqualTo(c.singletonProofScore(s.id()) - TOL);
                assertThat(s.saving()).isGreaterThanOrEqualTo(-TOL);
              }
              List<Iteration> its = r.iterations();
              assertThat(its.get(0).partition()).hasSize(c.prosumers().size());
              for (int k = 1; k < its.size(); k++) {
                for (int i = 0; i < c.prosumers().size(); i++) {
                  assertThat(its.get(k).prosumerScores().get(i))
                      .isGreaterThanOrEqualTo(its.get(k - 1).prosumerScores().get(i) - TOL);
                }
              }
              // The trace ends with the final partition.
              assertThat(its.get(its.size() - 1).partition())
                  .isEqualTo(r.coalitions().stream().map(Coalition::memberIds).toList());
              // Coalition proof score is the sum of its members' (Eq. 3.5).
              for (Coalition k : r.coalitions()) {
                assertThat(k.proofScore())
                    .isCloseTo(
                        k.members().stream().mapToDouble(MemberScore::proofScore).sum(),
                        within(1e-9));
              }
            });
  }

  /** Energy balance: every prosumer's surplus or deficit is traded exactly once. */
  @Test
  void property_transfers_balanceEveryProsumer() {
    qt().withFixedSeed(33)
        .withExamples(100)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Community c = Communities.random(seed, 2 + Math.floorMod(seed, 30));
              FormationResult r = FORMATION.form(c);
              Map<String, Double> traded = new HashMap<>();
              double loss = 0;
              for (Coalition k : r.coalitions()) {
                for (Transfer t : k.transfers()) {
                  traded.merge(t.from(), t.energy(), Double::sum);
                  traded.merge(t.to(), t.energy(), Double::sum);
                  loss += t.loss();
                  double d = c.distance(t.from(), t.to());
                  assertThat(t.loss())
                      .isCloseTo(t.energy() * c.lossModel().lossRate(d), within(1e-9));
                }
              }
              for (Prosumer p : c.prosumers()) {
                assertThat(traded.getOrDefault(p.id(), 0.0))
                    .isCloseTo(Math.abs(p.balance()), within(1e-9));
              }
              assertThat(loss).isCloseTo(r.coalitionLoss(), within(1e-8));
              assertThat(r.internalShare()).isBetween(0.0, 1.0);
            });
  }

  /** Def. 3 read strictly, checked by brute force against the reported count. */
  @Test
  void property_profitableDeviations_matchBruteForce() {
    qt().withFixedSeed(34)
        .withExamples(60)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Community c = Communities.random(seed, 3 + Math.floorMod(seed, 9));
              FormationResult r = FORMATION.form(c);
              Map<String, Double> now = scores(r);
              int count = 0;
              for (Coalition from : r.coalitions()) {
                for (String id : from.memberIds()) {
                  boolean gains = false;
                  for (Coalition to : r.coalitions()) {
                    if (to == from) {
                      continue;
                    }
                    List<String> u = new ArrayList<>(to.memberIds());
                    u.add(id);
                    Coalition j = FORMATION.evaluate(c, u);
                    double mine =
                        j.members().stream()
                            .filter(s -> s.id().equals(id))
                            .findFirst()
                            .orElseThrow()
                            .proofScore();
                    gains |= mine > now.get(id) + 1e-9;
                  }
                  count += gains ? 1 : 0;
                }
              }
              assertThat(r.profitableDeviations()).isEqualTo(count);
            });
  }

  @Test
  void onlySellers_isValid_andEveryoneTradesWithTheEdc() {
    Community c =
        Community.of(
            Area.square(20),
            List.of(new Prosumer("A", 5, 1, 2, 2), new Prosumer("B", 3, 0, 18, 18)));
    FormationResult r = FORMATION.form(c);
    assertThat(r.coalitions()).hasSize(2);
    assertThat(r.internalEnergy()).isZero();
    assertThat(r.edcEnergy()).isCloseTo(7, within(1e-12));
    assertThat(r.lossSaving()).isZero();
    assertThat(r.converged()).isTrue();
  }

  @Test
  void neighbours_pairUp_andBothGain() {
    // Seller and buyer next to each other in a corner, far from the EDC at (10, 10).
    Community c =
        Community.of(
            Area.square(20), List.of(new Prosumer("S", 6, 1, 1, 1), new Prosumer("B", 0, 4, 2, 1)));
    FormationResult r = FORMATION.form(c);
    assertThat(r.coalitions()).hasSize(1);
    Coalition k = r.coalitions().get(0);
    // Closed form: 4 kWh move S -> B over 1 km; S sells its last kWh to the EDC.
    double lam = c.lossModel().lossRate(1);
    double lamS = c.lossModel().lossRate(c.distance("S", Transfer.EDC));
    double lamB = c.lossModel().lossRate(c.distance("B", Transfer.EDC));
    assertThat(k.totalLoss()).isCloseTo(4 * lam + 1 * lamS, within(1e-12));
    assertThat(k.saving()).isCloseTo(5 * lamS + 4 * lamB - 4 * lam - lamS, within(1e-12));
    assertThat(r.internalShare()).isCloseTo(4.0 / 5.0, within(1e-12));
    for (MemberScore s : k.members()) {
      assertThat(s.proofScore()).isGreaterThan(s.singletonScore());
    }
    assertThat(r.iterations().get(1).step()).isEqualTo("initial pairing");
    assertThat(r.iterations().get(1).partition()).containsExactly(List.of("S", "B"));
  }

  @Test
  void lpSolver_givesTheSameLosses() {
    SplittableRandom rnd = new SplittableRandom(3);
    for (int t = 0; t < 10; t++) {
      Community c = Communities.random(rnd.nextLong(), 12);
      CoalitionFormation lp = CoalitionFormation.builder().solver(TransferSolver.LP).build();
      List<String> all = c.prosumers().stream().map(Prosumer::id).toList();
      assertThat(lp.evaluate(c, all).totalLoss())
          .isCloseTo(FORMATION.evaluate(c, all).totalLoss(), within(1e-7));
    }
  }

  @Test
  void operationCap_reportsNonConvergence() {
    Community c = Communities.random(7, 40);
    FormationResult free = FORMATION.form(c);
    assertThat(free.merges()).isGreaterThan(1);
    FormationResult capped = CoalitionFormation.builder().maxOperations(1).build().form(c);
    assertThat(capped.converged()).isFalse();
    assertThat(capped.merges()).isEqualTo(1);
  }

  @Test
  void deterministic() {
    Community c = Communities.random(11, 60);
    assertThat(FORMATION.form(c)).isEqualTo(FORMATION.form(c));
  }

  @Test
  void thesisScale_formsCoalitions() {
    Community c =
        Community.of(
            Area.square(20),
            ProfileGenerator.thesisDefaults()
                .generate(50, ProfileGenerator.Distribution.NORMAL, Area.square(20), 1));
    FormationResult r = FORMATION.form(c);
    assertThat(r.converged()).isTrue();
    assertThat(r.lossSaving()).isGreaterThan(0.1);
    assertThat(r.splits()).isZero();
  }
}
