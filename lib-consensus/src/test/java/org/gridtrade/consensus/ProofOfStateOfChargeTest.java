package org.gridtrade.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.gridtrade.consensus.posoc.ProofOfStateOfCharge;
import org.gridtrade.consensus.spi.Eligibility;
import org.gridtrade.consensus.spi.StateOfChargeSource;
import org.gridtrade.consensus.spi.StateOfChargeSource.Candidate;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.junit.jupiter.api.Test;

class ProofOfStateOfChargeTest {
  /** Chi-square critical values at significance 0.001 for 1..5 degrees of freedom. */
  private static final double[] CHI2_999 = {10.828, 13.816, 16.266, 18.467, 20.515};

  private static final long TIMEOUT = 1_000;
  private static final KeyPair TREASURY = Fixtures.key(0);
  private static final List<double[]> MODELS =
      List.of(new double[] {1, 2, -1}, new double[] {3, 4, 1});

  private final List<KeyPair> evs = Fixtures.keys(50, 4);

  /** EV i is keys(50+i) with the given daily score and profit 1,000 · (i + 1) except the last. */
  private List<Candidate> candidates(double... scores) {
    List<Candidate> out = new ArrayList<>();
    for (int i = 0; i < scores.length; i++) {
      long profit = i == 3 ? 0 : 1_000L * (i + 1);
      out.add(new Candidate(evs.get(i).address(), scores[i], profit));
    }
    return out;
  }

  private static ProofOfStateOfCharge.Builder builder(List<Candidate> cs, long blocksPerPeriod) {
    return ProofOfStateOfCharge.builder()
        .source(StateOfChargeSource.fixed(cs, MODELS))
        .blocksPerPeriod(blocksPerPeriod)
        .timeout(Duration.ofMillis(TIMEOUT))
        .beta(0.1);
  }

  private KeyPair keyOf(Address a) {
    return evs.stream().filter(k -> k.address().equals(a)).findFirst().orElseThrow();
  }

  private int indexOf(Address a) {
    return evs.indexOf(keyOf(a));
  }

  private static Hash randomHash(Random r) {
    byte[] b = new byte[32];
    r.nextBytes(b);
    return Hash.of(b);
  }

  private static double chiSquare(int[] observed, double[] weights) {
    double total = 0;
    long n = 0;
    for (int i = 0; i < weights.length; i++) {
      total += weights[i];
      n += observed[i];
    }
    double chi = 0;
    for (int i = 0; i < weights.length; i++) {
      double expected = n * weights[i] / total;
      chi += (observed[i] - expected) * (observed[i] - expected) / expected;
    }
    return chi;
  }

  private int[] mlagCounts(ProofOfStateOfCharge p, int periods, long seed) {
    Random r = new Random(seed);
    int[] counts = new int[4];
    for (int period = 0; period < periods; period++) {
      counts[indexOf(p.drawOrder(randomHash(r), period).get(0).address())]++;
    }
    return counts;
  }

  @Test
  void mlagDraw_frequenciesMatchDailyScores_chiSquare_andABiasedDrawFails() {
    double[] scores = {1, 2, 3, 4};
    int[] counts = mlagCounts(builder(candidates(scores), 24).build(), 20_000, 7L);
    assertThat(chiSquare(counts, scores))
        .as("chi-square of %s", Arrays.toString(counts))
        .isLessThan(CHI2_999[2]);
    // The same test rejects a draw biased towards EV 0 (drawn as if its score were 2).
    int[] biased = mlagCounts(builder(candidates(2, 2, 3, 4), 24).build(), 20_000, 7L);
    assertThat(chiSquare(biased, scores))
        .as("chi-square of biased %s", Arrays.toString(biased))
        .isGreaterThan(CHI2_999[2]);
  }

  @Test
  void redraw_isFairAmongTheRemainingEvs_andNegativeScoresAreNeverDrawn() {
    ProofOfStateOfCharge p = builder(candidates(1, 2, 3, 4), 24).build();
    Random r = new Random(11L);
    int[] counts = new int[3];
    int conditioned = 0;
    for (int i = 0; i < 40_000 && conditioned < 8_000; i++) {
      List<ProofOfStateOfCharge.Draw> order = p.drawOrder(randomHash(r), i);
      if (indexOf(order.get(0).address()) == 3) {
        conditioned++;
        counts[indexOf(order.get(1).address())]++;
      }
    }
    assertThat(conditioned).isEqualTo(8_000);
    assertThat(chiSquare(counts, new double[] {1, 2, 3})).isLessThan(CHI2_999[1]);
    ProofOfStateOfCharge signs = builder(candidates(-3, 2, 0, 5), 24).build();
    for (int i = 0; i < 200; i++) {
      assertThat(signs.drawOrder(randomHash(r), i).stream().map(d -> indexOf(d.address())))
          .containsExactlyInAnyOrder(1, 3);
    }
  }

  @Test
  void property_drawOrder_isAPermutationOfPositiveEvs_andTheSameOnEveryNode() {
    qt().withFixedSeed(6L)
        .withExamples(300)
        .forAll(lists().of(integers().between(-20, 50)).ofSizeBetween(1, 4), longs().all())
        .checkAssert(
            (scores, salt) -> {
              double[] w = scores.stream().mapToDouble(Integer::doubleValue).toArray();
              Hash seed = randomHash(new Random(salt));
              long period = Math.floorMod(salt, 1_000L);
              List<ProofOfStateOfCharge.Draw> a =
                  builder(candidates(w), 5).build().drawOrder(seed, period);
              List<ProofOfStateOfCharge.Draw> b =
                  builder(List.copyOf(candidates(w)), 5).build().drawOrder(seed, period);
              assertThat(a).isEqualTo(b);
              Set<Address> positive = new HashSet<>();
              for (int i = 0; i < w.length; i++) {
                if (w[i] > 0) {
                  positive.add(evs.get(i).address());
                }
              }
              assertThat(a.stream().map(ProofOfStateOfCharge.Draw::address).toList())
                  .doesNotHaveDuplicates()
                  .containsExactlyInAnyOrderElementsOf(positive);
              for (int k = 0; k < a.size(); k++) {
                assertThat(a.get(k).rank()).isEqualTo(k);
              }
            });
  }

  @Test
  void periods_mlagProposesItsPeriod_everyNodeComputesTheSameSequence() {
    List<Candidate> cs = candidates(1, 2, 3, 4);
    ProofOfStateOfCharge mine = builder(cs, 3).build();
    ProofOfStateOfCharge theirs = builder(List.copyOf(cs), 3).build();
    assertThat(mine.period(1)).isZero();
    assertThat(mine.period(3)).isZero();
    assertThat(mine.period(4)).isEqualTo(1);
    assertThat(mine.firstHeight(2)).isEqualTo(7);
    ChainFixture chain = new ChainFixture(Fixtures.genesis(Fixtures.keys(0, 2), 1_000));
    Map<Address, Integer> mlags = new HashMap<>();
    Hash model = FederatedAveraging.modelHash(new double[] {2, 3, 0}); // mean of MODELS by hand
    for (int i = 0; i < 60; i++) {
      BlockHeader parent = chain.head();
      long h = parent.height() + 1;
      long period = mine.period(h);
      Hash seed = chain.headers.get((int) (period * 3)).hash();
      assertThat(mine.drawSeed(chain, period)).isEqualTo(seed);
      List<ProofOfStateOfCharge.Draw> order = mine.drawOrder(seed, period);
      assertThat(theirs.drawOrder(seed, period)).isEqualTo(order);
      KeyPair k = keyOf(order.get(0).address());
      if (h == mine.firstHeight(period)) {
        mlags.merge(k.address(), 1, Integer::sum);
      } else {
        assertThat(k.address()).as("same mLAG through the period").isEqualTo(parent.proposer());
      }
      for (KeyPair e : evs) {
        assertThat(theirs.eligibility(chain, parent, e.address()))
            .isEqualTo(mine.eligibility(chain, parent, e.address()));
      }
      assertThat(mine.eligibility(chain, parent, k.address()))
          .isEqualTo(new Eligibility.Eligible(0, true));
      BlockHeader u = chain.next(k, 0);
      BlockHeader s = u.withSeal(mine.seal(chain, u, k));
      assertThat(theirs.verifySeal(chain, s, parent, chain.genesis.state())).isEmpty();
      assertThat(theirs.signer(s)).contains(k.address());
      assertThat(theirs.weight(chain, s)).isEqualTo(4);
      assertThat(ProofOfStateOfCharge.recordedModelHash(s)).contains(model);
      chain.headers.add(s);
    }
    assertThat(mlags.keySet()).as("the mLAG varies between periods").hasSizeGreaterThan(2);
  }

  @Test
  void refusal_redrawAfterTheTimeout_thenTheBackupKeepsThePeriod() {
    ProofOfStateOfCharge p = builder(candidates(1, 2, 3, 4), 3).build();
    ChainFixture chain = new ChainFixture(Fixtures.genesis(Fixtures.keys(0, 2), 1_000));
    BlockHeader parent = chain.head();
    List<ProofOfStateOfCharge.Draw> order = p.drawOrder(parent.hash(), 0);
    for (int r = 1; r < order.size(); r++) {
      assertThat(p.eligibility(chain, parent, order.get(r).address()))
          .isEqualTo(new Eligibility.Eligible(r * TIMEOUT, false));
    }
    KeyPair drawn = keyOf(order.get(0).address());
    KeyPair backup = keyOf(order.get(1).address());
    BlockHeader early = chain.next(backup, -1); // 999 ms after the parent
    BlockHeader earlySealed = early.withSeal(p.seal(chain, early, backup));
    assertThat(p.verifySeal(chain, earlySealed, parent, chain.genesis.state()))
        .hasValueSatisfying(m -> assertThat(m).contains("rank 1").contains("999 ms"));
    BlockHeader onTime = chain.next(backup, 0);
    onTime = onTime.withSeal(p.seal(chain, onTime, backup));
    assertThat(p.verifySeal(chain, onTime, parent, chain.genesis.state())).isEmpty();
    BlockHeader first = chain.next(drawn, 0);
    first = first.withSeal(p.seal(chain, first, drawn));
    assertThat(p.weight(chain, first)).isGreaterThan(p.weight(chain, onTime));

    // The backup's block is appended: it is in turn for the rest of the period; the later ranks
    // wait one timeout per step, then the refuser comes last (cyclic order), so the period goes on
    // while any drawn EV is online.
    chain.headers.add(onTime);
    BlockHeader parent2 = chain.head();
    int n = order.size();
    assertThat(n).isEqualTo(4);
    assertThat(p.eligibility(chain, parent2, backup.address()))
        .isEqualTo(new Eligibility.Eligible(0, true));
    assertThat(p.eligibility(chain, parent2, order.get(2).address()))
        .isEqualTo(new Eligibility.Eligible(TIMEOUT, false));
    assertThat(p.eligibility(chain, parent2, order.get(3).address()))
        .isEqualTo(new Eligibility.Eligible(2 * TIMEOUT, false));
    assertThat(p.eligibility(chain, parent2, drawn.address()))
        .isEqualTo(new Eligibility.Eligible(3 * TIMEOUT, false));
    BlockHeader back = chain.next(drawn, 3 * TIMEOUT - 1_001); // 2,999 ms after its parent
    BlockHeader tooEarly = back.withSeal(p.seal(chain, back, drawn));
    assertThat(p.verifySeal(chain, tooEarly, parent2, chain.genesis.state()))
        .hasValueSatisfying(m -> assertThat(m).contains("rank 0 (in turn: 1)").contains("2999 ms"));
    BlockHeader late = chain.next(drawn, 3 * TIMEOUT - 1_000);
    late = late.withSeal(p.seal(chain, late, drawn));
    assertThat(p.verifySeal(chain, late, parent2, chain.genesis.state())).isEmpty();
    // The next period starts afresh from its own draw.
    while (chain.head().height() < 3) {
      BlockHeader b = chain.next(backup, 0);
      chain.headers.add(b.withSeal(p.seal(chain, b, backup)));
    }
    List<ProofOfStateOfCharge.Draw> next = p.drawOrder(chain.head().hash(), 1);
    assertThat(p.eligibility(chain, chain.head(), next.get(0).address()))
        .isEqualTo(new Eligibility.Eligible(0, true));
  }

  private LedgerChain ledgerChain(ProofOfStateOfCharge p) {
    List<KeyPair> funded = new ArrayList<>(List.of(TREASURY));
    funded.addAll(evs);
    return new LedgerChain(Fixtures.genesis(funded, 1_000_000), ConsensusSchedule.of(p));
  }

  @Test
  void wrongModelHash_nonDrawnEv_areRejected_withTheStateUnchanged() {
    ProofOfStateOfCharge p = builder(candidates(1, 2, 0, 4), 3).treasury(TREASURY).build();
    LedgerChain c = ledgerChain(p);
    KeyPair mlag = keyOf(p.drawOrder(c.ledger.head().hash(), 0).get(0).address());
    c.next(mlag);
    Hash root = c.ledger.state().root();
    Block good = c.build(mlag, List.of(), 1_000);
    // The same header with another model hash recorded (validly signed by the mLAG).
    Hash other = FederatedAveraging.modelHash(new double[] {2, 3, 0.5});
    Block wrong =
        good.withSeal(
            ProofOfStateOfCharge.Seal.sign(good.header(), mlag, Optional.of(other)).encode());
    assertThat(c.receive(wrong))
        .hasValueSatisfying(m -> assertThat(m).contains("records global model hash"));
    Block none =
        good.withSeal(
            ProofOfStateOfCharge.Seal.sign(good.header(), mlag, Optional.empty()).encode());
    assertThat(c.receive(none)).hasValueSatisfying(m -> assertThat(m).contains("none"));
    // EV 2 has score 0: never drawn; an outsider neither.
    for (KeyPair k : List.of(evs.get(2), Fixtures.key(99))) {
      assertThat(p.eligibility(c.viewAt(2), c.ledger.head(), k.address()))
          .isInstanceOf(Eligibility.Ineligible.class);
      assertThatThrownBy(() -> c.build(k, List.of(), 10_000))
          .isInstanceOf(IllegalStateException.class);
      Block u =
          c.ledger.propose(List.of(), k.address(), c.ledger.head().timestamp() + 9_000).block();
      Block forged =
          u.withSeal(ProofOfStateOfCharge.Seal.sign(u.header(), k, p.globalModelHash(0)).encode());
      assertThat(c.receive(forged)).hasValueSatisfying(m -> assertThat(m).contains("no drawn EV"));
      assertThat(p.weight(c.viewAt(2), forged.header())).isZero();
    }
    assertThat(c.ledger.height()).isEqualTo(1);
    assertThat(c.ledger.state().root()).isEqualTo(root);
    assertThat(c.receive(good)).isEmpty();
    assertThat(ProofOfStateOfCharge.recordedModelHash(good.header()))
        .contains(FederatedAveraging.modelHash(new double[] {2, 3, 0}));
    // Without local models nothing is recorded.
    ProofOfStateOfCharge noModels =
        ProofOfStateOfCharge.builder().source(h -> candidates(1, 2, 3, 4)).build();
    assertThat(noModels.globalModelHash(0)).isEmpty();
  }

  private final Map<Address, Long> nonces = new HashMap<>();

  private Transaction pay(KeyPair from, Address to, long amount) {
    long n = nonces.merge(from.address(), 1L, Long::sum) - 1;
    return Fixtures.transfer(from, to, n, amount, 0);
  }

  @Test
  void withholding_anEvThatDoesNotPay_getsNoProfitUntilItPays_thenTheWithheldAmount() {
    // Profits 1,000 / 2,000 / 3,000 / 0 for EVs 0..3; β = 0.1: shares 100 / 200 / 300.
    ProofOfStateOfCharge p = builder(candidates(4, 3, 2, 1), 3).treasury(TREASURY).build();
    LedgerChain c = ledgerChain(p);
    long[] profit = {1_000, 2_000, 3_000, 0};
    assertThat(p.share(1_000)).isEqualTo(100);
    assertThat(p.miningReward(0)).isEqualTo(600);
    // Period 0 (heights 1..3).
    KeyPair m0 = keyOf(p.drawOrder(c.ledger.head().hash(), 0).get(0).address());
    List<KeyPair> owing =
        evs.stream()
            .filter(k -> !k.equals(m0) && profit[evs.indexOf(k)] > 0)
            .sorted(Comparator.comparing(KeyPair::address))
            .toList();
    KeyPair payer = owing.get(0);
    KeyPair shirker = owing.get(1);
    long payerShare = profit[evs.indexOf(payer)] / 10;
    long shirkerShare = profit[evs.indexOf(shirker)] / 10;
    c.next(m0);
    // A payment below the share does not count; the full share does.
    c.next(m0, pay(payer, m0.address(), payerShare - 1), pay(payer, m0.address(), payerShare));
    c.next(m0);
    Map<Address, Long> before = new HashMap<>();
    evs.forEach(k -> before.put(k.address(), c.ledger.state().account(k.address()).balance()));

    // Period 1 starts: the treasury releases the mLAG's and the payer's profit, not the shirker's.
    KeyPair m1 = keyOf(p.drawOrder(c.ledger.head().hash(), 1).get(0).address());
    List<Payload.Reward> expected = new ArrayList<>();
    for (KeyPair k : evs.stream().sorted(Comparator.comparing(KeyPair::address)).toList()) {
      long r = profit[evs.indexOf(k)];
      if (r > 0 && (k.equals(m0) || k.equals(payer))) {
        expected.add(new Payload.Reward(k.address(), r));
      }
    }
    assertThat(p.settlement(c.viewAt(4), c.ledger.head())).isEqualTo(expected);
    List<Transaction> settle = c.settlementFor(m1);
    assertThat(settle.stream().map(t -> t.body().payload()).toList()).isEqualTo(expected);
    Hash root = c.ledger.state().root();
    // Wrong settlements are refused before the ledger sees them.
    assertThat(c.receive(c.exactly(m1, settle.subList(0, settle.size() - 1), 1_000)))
        .hasValueSatisfying(m -> assertThat(m).contains("not the prescribed"));
    List<Transaction> early = new ArrayList<>(settle);
    early.add(
        new org.gridtrade.ledger.TransactionBody(
                Fixtures.CHAIN,
                TREASURY.publicKey(),
                settle.size(),
                0,
                new Payload.Reward(shirker.address(), profit[evs.indexOf(shirker)]))
            .sign(TREASURY));
    assertThat(c.receive(c.exactly(m1, early, 1_000)))
        .hasValueSatisfying(m -> assertThat(m).contains("unprescribed"));
    assertThat(c.ledger.height()).isEqualTo(3);
    assertThat(c.ledger.state().root()).isEqualTo(root);
    c.next(m1);
    long payerProfit = profit[evs.indexOf(payer)];
    assertThat(c.ledger.state().account(payer.address()).balance())
        .isEqualTo(before.get(payer.address()) + payerProfit);
    assertThat(c.ledger.state().account(shirker.address()).balance())
        .isEqualTo(before.get(shirker.address()));

    // Period 1 (heights 4..6): the shirker pays its period-0 share late; nobody pays period 1.
    c.next(m1, pay(shirker, m0.address(), shirkerShare));
    c.next(m1);
    List<ProofOfStateOfCharge.Obligation> obligations = p.obligations(c.viewAt(6), 6);
    assertThat(obligations)
        .filteredOn(o -> o.period() == 0 && o.ev().equals(shirker.address()))
        .singleElement()
        .satisfies(o -> assertThat(o.paidAtHeight()).isEqualTo(5));
    assertThat(obligations)
        .filteredOn(o -> o.period() == 0 && o.ev().equals(payer.address()))
        .singleElement()
        .satisfies(o -> assertThat(o.paidAtHeight()).isEqualTo(2));
    assertThat(obligations)
        .filteredOn(o -> o.period() == 1 && !o.ev().equals(m1.address()))
        .isNotEmpty()
        .allSatisfy(o -> assertThat(o.paid()).isFalse());

    // Period 2 starts: the shirker's withheld period-0 profit is released, then m1's own.
    KeyPair m2 = keyOf(p.drawOrder(c.ledger.head().hash(), 2).get(0).address());
    List<Payload.Reward> released = new ArrayList<>();
    released.add(new Payload.Reward(shirker.address(), profit[evs.indexOf(shirker)]));
    if (profit[evs.indexOf(m1)] > 0) {
      released.add(new Payload.Reward(m1.address(), profit[evs.indexOf(m1)]));
    }
    assertThat(p.settlement(c.viewAt(7), c.ledger.head())).isEqualTo(released);
    long supply = c.ledger.state().totalSupply();
    long shirkerBefore = c.ledger.state().account(shirker.address()).balance();
    c.next(m2);
    assertThat(c.ledger.state().totalSupply())
        .isEqualTo(supply + released.stream().mapToLong(Payload.Reward::amount).sum());
    long m1Gain = m1.equals(shirker) ? profit[evs.indexOf(m1)] : 0;
    assertThat(c.ledger.state().account(shirker.address()).balance())
        .isEqualTo(shirkerBefore + profit[evs.indexOf(shirker)] + m1Gain);
    // Released once: the next period start carries nothing for period 0 again.
    c.next(m2);
    c.next(m2);
    assertThat(p.settlement(c.viewAt(10), c.ledger.head()))
        .noneMatch(r -> ((Payload.Reward) r).to().equals(shirker.address()) && !shirker.equals(m2));
  }

  @Test
  void property_sealEncoding_roundTrips_andAnyTamperingIsCaught() {
    ChainFixture chain = new ChainFixture(Fixtures.genesis(Fixtures.keys(0, 2), 1_000));
    qt().withFixedSeed(43L)
        .withExamples(200)
        .forAll(integers().between(0, 20), longs().between(0, 1L << 40))
        .checkAssert(
            (key, salt) -> {
              KeyPair k = Fixtures.key(key);
              BlockHeader u = chain.next(k, salt);
              Optional<Hash> model =
                  salt % 2 == 0 ? Optional.empty() : Optional.of(randomHash(new Random(salt)));
              ProofOfStateOfCharge.Seal seal = ProofOfStateOfCharge.Seal.sign(u, k, model);
              byte[] bytes = seal.encode();
              assertThat(bytes).hasSize(model.isPresent() ? 130 : 98);
              ProofOfStateOfCharge.Seal back = ProofOfStateOfCharge.Seal.decode(bytes);
              assertThat(back).isEqualTo(seal);
              assertThat(back.verifies(u)).isTrue();
              int pos = (int) (salt % bytes.length);
              byte[] tampered = bytes.clone();
              tampered[pos] ^= 1;
              boolean caught;
              try {
                caught = !ProofOfStateOfCharge.Seal.decode(tampered).verifies(u);
              } catch (IllegalArgumentException e) {
                caught = true;
              }
              assertThat(caught).as("flip at %d", pos).isTrue();
              assertThatThrownBy(
                      () ->
                          ProofOfStateOfCharge.Seal.decode(Arrays.copyOf(bytes, bytes.length + 1)))
                  .hasMessageContaining("must be 98 or 130");
            });
  }

  @Test
  void badInput_isRefused_namingTheValue() {
    Address a = Fixtures.key(1).address();
    assertThatThrownBy(() -> new Candidate(a, Double.NaN, 1))
        .hasMessageContaining("dailyScore NaN of EV");
    assertThatThrownBy(() -> new Candidate(a, 1, -5)).hasMessageContaining("profitMicro -5 of EV");
    assertThatThrownBy(() -> ProofOfStateOfCharge.builder().beta(0))
        .hasMessageContaining("beta 0.0 must be in (0, 1]");
    assertThatThrownBy(() -> ProofOfStateOfCharge.builder().beta(1.5))
        .hasMessageContaining("beta 1.5");
    assertThatThrownBy(() -> ProofOfStateOfCharge.builder().beta(Double.NaN))
        .hasMessageContaining("beta NaN");
    assertThatThrownBy(() -> ProofOfStateOfCharge.builder().blocksPerPeriod(0))
        .hasMessageContaining("blocksPerPeriod 0 must be >= 1");
    assertThatThrownBy(() -> ProofOfStateOfCharge.builder().timeout(Duration.ofMillis(0)))
        .hasMessageContaining("timeout PT0S must be at least 1 ms");
    assertThatThrownBy(() -> ProofOfStateOfCharge.builder().build())
        .hasMessageContaining("source not set");
    ProofOfStateOfCharge p =
        ProofOfStateOfCharge.builder()
            .source(period -> List.of(new Candidate(a, 1, 0), new Candidate(a, 2, 0)))
            .build();
    assertThatThrownBy(() -> p.drawOrder(Hash.ZERO, 4))
        .hasMessageContaining("lists EV %s twice in period 4".formatted(a));
    assertThatThrownBy(() -> p.period(0)).hasMessageContaining("height 0 must be >= 1");
    assertThatThrownBy(() -> p.share(-1)).hasMessageContaining("profitMicro -1");
    ProofOfStateOfCharge none =
        ProofOfStateOfCharge.builder().source(period -> List.of(new Candidate(a, -1, 0))).build();
    ChainFixture chain = new ChainFixture(Fixtures.genesis(Fixtures.keys(0, 2), 1_000));
    assertThat(none.eligibility(chain, chain.head(), a))
        .isEqualTo(new Eligibility.Ineligible("no EV has a positive daily score in period 0"));
    ProofOfStateOfCharge badModels =
        ProofOfStateOfCharge.builder()
            .source(
                new StateOfChargeSource() {
                  @Override
                  public List<Candidate> candidates(long period) {
                    return List.of(new Candidate(a, 1, 0));
                  }

                  @Override
                  public List<double[]> localModels(long period) {
                    return List.of(new double[] {1}, new double[] {1, 2});
                  }
                })
            .build();
    assertThatThrownBy(() -> badModels.globalModelHash(0))
        .hasMessageContaining("localModels[1] has 2 weights");
    // The settlement reads blocks: a headers-only view is refused with a reason, not misread.
    ProofOfStateOfCharge treasured = builder(candidates(1, 2, 3, 4), 1).treasury(TREASURY).build();
    KeyPair m = keyOf(treasured.drawOrder(chain.head().hash(), 0).get(0).address());
    BlockHeader u = chain.next(m, 0);
    chain.headers.add(u.withSeal(treasured.seal(chain, u, m)));
    assertThatThrownBy(() -> treasured.settlement(chain, chain.head()))
        .hasMessageContaining("chain view gives no block 1");
    BlockHeader u2 = chain.next(m, 0);
    Block empty = new Block(u2, List.of());
    assertThat(treasured.checkBlock(chain, empty, chain.head(), chain.genesis.state()))
        .hasValueSatisfying(msg -> assertThat(msg).contains("gives no block"));
    // β is applied in decimal: 0.1 · 1,000 is exactly 100, 0.3 · 10 exactly 3, and ⌈0.15 · 3⌉ = 1.
    assertThat(ProofOfStateOfCharge.builder().beta(0.1).source(h -> List.of()).build().share(1_000))
        .isEqualTo(100);
    assertThat(ProofOfStateOfCharge.builder().beta(0.3).source(h -> List.of()).build().share(10))
        .isEqualTo(3);
    assertThat(ProofOfStateOfCharge.builder().beta(0.15).source(h -> List.of()).build().share(3))
        .isEqualTo(1);
  }
}
