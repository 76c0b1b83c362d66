package org.gridtrade.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.gridtrade.consensus.poeg.ProofOfEnergyGeneration;
import org.gridtrade.consensus.spi.Eligibility;
import org.gridtrade.consensus.spi.EnergyProofSource;
import org.gridtrade.consensus.spi.EnergyProofSource.Candidate;
import org.gridtrade.consensus.spi.EnergyProofSource.Member;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.junit.jupiter.api.Test;

class ProofOfEnergyGenerationTest {
  /** Chi-square critical values at significance 0.001 for 1..5 degrees of freedom. */
  private static final double[] CHI2_999 = {10.828, 13.816, 16.266, 18.467, 20.515};

  private static final long TIMEOUT = 1_000;

  private final List<KeyPair> signers = Fixtures.keys(50, 4);
  private final List<KeyPair> others = Fixtures.keys(70, 4);

  /** Coalition c{i}: signer keys(50+i) with score 10, a second member keys(70+i) with score 3. */
  private List<Candidate> coalitions(double... weights) {
    List<Candidate> out = new ArrayList<>();
    for (int i = 0; i < weights.length; i++) {
      out.add(
          new Candidate(
              "c" + i,
              weights[i],
              List.of(
                  new Member(others.get(i).address(), 3, 1 + i),
                  new Member(signers.get(i).address(), 10, 2))));
    }
    return out;
  }

  private ProofOfEnergyGeneration poeg(List<Candidate> cs) {
    return ProofOfEnergyGeneration.builder()
        .source(h -> cs)
        .timeout(Duration.ofMillis(TIMEOUT))
        .blockReward(1_000)
        .slashAmount(500)
        .build();
  }

  private KeyPair keyOf(Address a) {
    List<KeyPair> all = new ArrayList<>(signers);
    all.addAll(others);
    return all.stream().filter(k -> k.address().equals(a)).findFirst().orElseThrow();
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

  private static int[] firstDrawCounts(ProofOfEnergyGeneration p, int draws, long seed, int k) {
    Random r = new Random(seed);
    int[] counts = new int[k];
    for (int i = 0; i < draws; i++) {
      String id = p.drawOrder(randomHash(r), 1 + i).get(0).coalition().id();
      counts[Integer.parseInt(id.substring(1))]++;
    }
    return counts;
  }

  @Test
  void firstDraw_frequenciesMatchProofScores_chiSquare_andASkewedWeightingFails() {
    double[] weights = {1, 2, 3, 4};
    int[] counts = firstDrawCounts(poeg(coalitions(weights)), 20_000, 7L, 4);
    double chi = chiSquare(counts, weights);
    assertThat(chi)
        .as("chi-square of %s", java.util.Arrays.toString(counts))
        .isLessThan(CHI2_999[2]);

    // The same test detects a protocol whose weighting is off: coalition 0 drawn as if PS were 2.
    int[] skewed = firstDrawCounts(poeg(coalitions(2, 2, 3, 4)), 20_000, 7L, 4);
    assertThat(chiSquare(skewed, weights))
        .as("chi-square of skewed %s", java.util.Arrays.toString(skewed))
        .isGreaterThan(CHI2_999[2]);
  }

  @Test
  void redraw_isFairAmongTheRemainingCoalitions_chiSquare() {
    // Given that c3 was drawn first, the re-draw picks among c0..c2 in proportion 1:2:3.
    ProofOfEnergyGeneration p = poeg(coalitions(1, 2, 3, 4));
    Random r = new Random(11L);
    int[] counts = new int[3];
    int conditioned = 0;
    for (int i = 0; i < 40_000 && conditioned < 8_000; i++) {
      List<ProofOfEnergyGeneration.Draw> order = p.drawOrder(randomHash(r), 5);
      if (order.get(0).coalition().id().equals("c3")) {
        conditioned++;
        counts[Integer.parseInt(order.get(1).coalition().id().substring(1))]++;
      }
    }
    assertThat(conditioned).isEqualTo(8_000);
    assertThat(chiSquare(counts, new double[] {1, 2, 3})).isLessThan(CHI2_999[1]);
  }

  @Test
  void property_drawOrder_isAPermutationOfPositiveCoalitions_andTheSameOnEveryNode() {
    qt().withFixedSeed(6L)
        .withExamples(300)
        .forAll(lists().of(integers().between(0, 50)).ofSizeBetween(1, 4), longs().all())
        .checkAssert(
            (scores, salt) -> {
              double[] w = scores.stream().mapToDouble(Integer::doubleValue).toArray();
              Hash parent = randomHash(new Random(salt));
              List<ProofOfEnergyGeneration.Draw> a = poeg(coalitions(w)).drawOrder(parent, 3);
              List<ProofOfEnergyGeneration.Draw> b = poeg(coalitions(w)).drawOrder(parent, 3);
              assertThat(a).isEqualTo(b);
              Set<String> positive = new HashSet<>();
              for (int i = 0; i < w.length; i++) {
                if (w[i] > 0) {
                  positive.add("c" + i);
                }
              }
              assertThat(a.stream().map(d -> d.coalition().id()).toList())
                  .doesNotHaveDuplicates()
                  .containsExactlyInAnyOrderElementsOf(positive);
              for (int k = 0; k < a.size(); k++) {
                assertThat(a.get(k).rank()).isEqualTo(k);
              }
            });
  }

  @Test
  void chainOfDrawnSigners_verifies_andEveryNodeComputesTheSameSequence() {
    List<Candidate> cs = coalitions(1, 2, 3, 4);
    ProofOfEnergyGeneration mine = poeg(cs);
    ProofOfEnergyGeneration theirs = poeg(List.copyOf(cs));
    ChainFixture chain = new ChainFixture(Fixtures.genesis(Fixtures.keys(0, 2), 1_000));
    Map<String, Integer> firstDrawn = new HashMap<>();
    for (int i = 0; i < 40; i++) {
      BlockHeader parent = chain.head();
      List<ProofOfEnergyGeneration.Draw> order = mine.drawOrder(parent.hash(), parent.height() + 1);
      assertThat(theirs.drawOrder(parent.hash(), parent.height() + 1)).isEqualTo(order);
      KeyPair k = keyOf(order.get(0).signer());
      assertThat(k.address())
          .isEqualTo(
              signers.get(Integer.parseInt(order.get(0).coalition().id().substring(1))).address());
      firstDrawn.merge(order.get(0).coalition().id(), 1, Integer::sum);
      for (KeyPair s : signers) {
        assertThat(theirs.eligibility(chain, parent, s.address()))
            .isEqualTo(mine.eligibility(chain, parent, s.address()));
      }
      assertThat(mine.eligibility(chain, parent, k.address()))
          .isEqualTo(new Eligibility.Eligible(0, true));
      BlockHeader u = chain.next(k, 0);
      BlockHeader s = u.withSeal(mine.seal(chain, u, k));
      assertThat(theirs.verifySeal(chain, s, parent, chain.genesis.state())).isEmpty();
      assertThat(theirs.signer(s)).contains(k.address());
      assertThat(theirs.weight(chain, s)).isEqualTo(4);
      chain.headers.add(s);
    }
    assertThat(firstDrawn.keySet()).as("the draw varies with the parent").hasSizeGreaterThan(2);
  }

  @Test
  void refusal_redrawExcludesTheRefusingCoalition_afterTheTimeout_andWeighsLess() {
    ProofOfEnergyGeneration p = poeg(coalitions(1, 2, 3, 4));
    ChainFixture chain = new ChainFixture(Fixtures.genesis(Fixtures.keys(0, 2), 1_000));
    BlockHeader parent = chain.head();
    List<ProofOfEnergyGeneration.Draw> order = p.drawOrder(parent.hash(), 1);
    for (int r = 1; r < order.size(); r++) {
      assertThat(order.get(r).coalition().id())
          .as("re-draw %d", r)
          .isNotIn(order.subList(0, r).stream().map(d -> d.coalition().id()).toList());
      assertThat(p.eligibility(chain, parent, order.get(r).signer()))
          .isEqualTo(new Eligibility.Eligible(r * TIMEOUT, false));
    }
    KeyPair backup = keyOf(order.get(1).signer());
    // ChainFixture.next puts the block 1 s + extra after its parent.
    BlockHeader early = chain.next(backup, -1);
    early = early.withSeal(p.seal(chain, early, backup));
    assertThat(p.verifySeal(chain, early, parent, chain.genesis.state()))
        .hasValueSatisfying(m -> assertThat(m).contains("rank 1").contains("999 ms"));
    BlockHeader onTime = chain.next(backup, 0);
    onTime = onTime.withSeal(p.seal(chain, onTime, backup));
    assertThat(p.verifySeal(chain, onTime, parent, chain.genesis.state())).isEmpty();
    KeyPair drawn = keyOf(order.get(0).signer());
    BlockHeader first = chain.next(drawn, 0);
    first = first.withSeal(p.seal(chain, first, drawn));
    assertThat(p.weight(chain, first)).isGreaterThan(p.weight(chain, onTime));
  }

  private static LedgerState staked(LedgerState s, List<KeyPair> stakers, List<Long> amounts) {
    List<Transaction> txs = new ArrayList<>();
    for (int i = 0; i < stakers.size(); i++) {
      txs.add(
          new TransactionBody(
                  Fixtures.CHAIN,
                  stakers.get(i).publicKey(),
                  0,
                  0,
                  new Payload.Stake(amounts.get(i)))
              .sign(stakers.get(i)));
    }
    LedgerState.Outcome o = s.apply(txs, stakers.get(0).address(), Fixtures.GENESIS_TIME + 1);
    return ((LedgerState.Outcome.Applied) o).state();
  }

  @Test
  void settlement_slashesEachRefuser_upToItsStake_andRewardsOnlyTheProposersCoalition() {
    List<Candidate> cs = coalitions(1, 2, 3, 4);
    ProofOfEnergyGeneration p = poeg(cs);
    List<KeyPair> funded = new ArrayList<>(Fixtures.keys(0, 1));
    funded.addAll(signers);
    LedgerState genesis = Fixtures.genesis(funded, 10_000).state();
    ChainFixture chain = new ChainFixture(Fixtures.genesis(funded, 10_000));
    BlockHeader parent = chain.head();
    List<ProofOfEnergyGeneration.Draw> order = p.drawOrder(parent.hash(), 1);
    // Rank 0 staked 2,000 (slashed the configured 500), rank 1 staked 200 (slashed 200), rank 2
    // did not stake (nothing to slash); rank 3 proposes.
    LedgerState state =
        staked(
            genesis,
            List.of(keyOf(order.get(0).signer()), keyOf(order.get(1).signer())),
            List.of(2_000L, 200L));
    Address proposer = order.get(3).signer();
    List<Payload> settle = p.settlement(parent, state, proposer);
    List<Payload.Slash> slashes =
        settle.stream()
            .filter(Payload.Slash.class::isInstance)
            .map(Payload.Slash.class::cast)
            .toList();
    assertThat(slashes)
        .containsExactly(
            new Payload.Slash(
                order.get(0).signer(),
                500,
                ProofOfEnergyGeneration.refusalEvidence(parent.hash(), order.get(0).signer())),
            new Payload.Slash(
                order.get(1).signer(),
                200,
                ProofOfEnergyGeneration.refusalEvidence(parent.hash(), order.get(1).signer())));
    List<Payload.Reward> rewards =
        settle.stream()
            .filter(Payload.Reward.class::isInstance)
            .map(Payload.Reward.class::cast)
            .toList();
    Candidate winner = order.get(3).coalition();
    Set<Address> members = new HashSet<>();
    winner.members().forEach(m -> members.add(m.address()));
    assertThat(rewards).allSatisfy(rw -> assertThat(rw.to()).isIn(members));
    assertThat(rewards.stream().mapToLong(Payload.Reward::amount).sum()).isEqualTo(1_000);
    double totalWeight = winner.members().stream().mapToDouble(Member::rewardWeight).sum();
    for (Member m : winner.members()) {
      long got =
          rewards.stream()
              .filter(rw -> rw.to().equals(m.address()))
              .mapToLong(Payload.Reward::amount)
              .sum();
      assertThat((double) got)
          .isCloseTo(
              1_000 * m.rewardWeight() / totalWeight, org.assertj.core.api.Assertions.within(2.0));
    }
    // The first-drawn proposer pays no penalty and gets the reward.
    assertThat(p.settlement(parent, state, order.get(0).signer()))
        .noneMatch(Payload.Slash.class::isInstance);
    assertThatThrownBy(() -> p.settlement(parent, state, others.get(0).address()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("signs no drawn coalition");
  }

  private static Block block(BlockHeader h, List<Transaction> txs) {
    return new Block(
        new BlockHeader(
            h.height(),
            h.previousHash(),
            Block.transactionsRoot(txs),
            txs.size(),
            h.stateRoot(),
            h.timestamp(),
            h.proposer(),
            new byte[0]),
        txs);
  }

  @Test
  void withTreasury_theBlockMustStartWithTheSignedSettlement() {
    KeyPair treasury = Fixtures.key(0);
    List<Candidate> cs = coalitions(1, 2, 3, 4);
    ProofOfEnergyGeneration p =
        ProofOfEnergyGeneration.builder()
            .source(h -> cs)
            .timeout(Duration.ofMillis(TIMEOUT))
            .blockReward(1_000)
            .slashAmount(500)
            .treasury(treasury)
            .build();
    List<KeyPair> funded = new ArrayList<>(List.of(treasury));
    funded.addAll(signers);
    ChainFixture chain = new ChainFixture(Fixtures.genesis(funded, 10_000));
    BlockHeader parent = chain.head();
    List<ProofOfEnergyGeneration.Draw> order = p.drawOrder(parent.hash(), 1);
    LedgerState state =
        staked(chain.genesis.state(), List.of(keyOf(order.get(0).signer())), List.of(1_000L));
    Address proposer = order.get(1).signer();
    List<Transaction> txs = p.rewardsAndPenalties(chain, parent, state, proposer);
    assertThat(txs.stream().map(t -> t.body().payload()).toList())
        .isEqualTo(p.settlement(parent, state, proposer));
    assertThat(txs).allSatisfy(t -> assertThat(t.sender()).isEqualTo(treasury.address()));
    assertThat(txs.stream().map(t -> t.body().nonce()).toList()).containsExactly(0L, 1L, 2L);
    // The settlement applies to the parent state: the refuser loses stake, supply grows by M_r.
    LedgerState after =
        ((LedgerState.Outcome.Applied) state.apply(txs, proposer, parent.timestamp() + 2_000))
            .state();
    assertThat(after.account(order.get(0).signer()).stake()).isEqualTo(500);
    BlockHeader h = chain.next(keyOf(proposer), 1_000);
    assertThat(p.checkBlock(chain, block(h, txs), parent, state)).isEmpty();
    assertThat(p.checkBlock(chain, block(h, txs.subList(1, txs.size())), parent, state))
        .hasValueSatisfying(m -> assertThat(m).contains("not the prescribed"));
    Transaction extra =
        new TransactionBody(
                Fixtures.CHAIN, treasury.publicKey(), 3, 0, new Payload.Reward(proposer, 5))
            .sign(treasury);
    List<Transaction> padded = new ArrayList<>(txs);
    padded.add(extra);
    assertThat(p.checkBlock(chain, block(h, padded), parent, state))
        .hasValueSatisfying(m -> assertThat(m).contains("unprescribed"));
  }

  @Test
  void nonDrawnAccounts_areIneligible_andTheirBlocksRejected() {
    List<Candidate> cs = new ArrayList<>(coalitions(1, 2, 3));
    // c3 has proof score 0: never drawn.
    cs.addAll(coalitions(1, 2, 3, 0).subList(3, 4));
    ProofOfEnergyGeneration p = poeg(cs);
    ChainFixture chain = new ChainFixture(Fixtures.genesis(Fixtures.keys(0, 2), 1_000));
    BlockHeader parent = chain.head();
    List<KeyPair> outsiders = List.of(others.get(0), signers.get(3), Fixtures.key(99));
    for (KeyPair k : outsiders) {
      assertThat(p.eligibility(chain, parent, k.address()))
          .isInstanceOf(Eligibility.Ineligible.class);
      BlockHeader u = chain.next(k, 10_000);
      assertThatThrownBy(() -> p.seal(chain, u, k)).isInstanceOf(IllegalStateException.class);
      BlockHeader forged = u.withSeal(ProofOfEnergyGeneration.Seal.sign(u, k).encode());
      assertThat(p.verifySeal(chain, forged, parent, chain.genesis.state()))
          .hasValueSatisfying(m -> assertThat(m).contains("signs no drawn coalition"));
      assertThat(p.weight(chain, forged)).isZero();
    }
    // A drawn signer's key on another proposer's header is not a valid seal.
    KeyPair drawn = keyOf(p.drawOrder(parent.hash(), 1).get(0).signer());
    BlockHeader u = chain.next(others.get(1), 0);
    BlockHeader stolen = u.withSeal(ProofOfEnergyGeneration.Seal.sign(u, drawn).encode());
    assertThat(p.verifySeal(chain, stolen, parent, chain.genesis.state()))
        .hasValueSatisfying(m -> assertThat(m).contains("does not parse, verify, or match"));
    // No positive score at all: nobody may propose.
    ProofOfEnergyGeneration none = poeg(coalitions(0, 0));
    assertThat(none.eligibility(chain, parent, signers.get(0).address()))
        .isEqualTo(
            new Eligibility.Ineligible("no coalition has a positive proof score at height 1"));
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
              ProofOfEnergyGeneration.Seal seal = ProofOfEnergyGeneration.Seal.sign(u, k);
              byte[] bytes = seal.encode();
              ProofOfEnergyGeneration.Seal back = ProofOfEnergyGeneration.Seal.decode(bytes);
              assertThat(back).isEqualTo(seal);
              assertThat(back.verifies(u)).isTrue();
              int pos = (int) (salt % bytes.length);
              byte[] tampered = bytes.clone();
              tampered[pos] ^= 1;
              boolean caught;
              try {
                caught = !ProofOfEnergyGeneration.Seal.decode(tampered).verifies(u);
              } catch (IllegalArgumentException e) {
                caught = true;
              }
              assertThat(caught).as("flip at %d", pos).isTrue();
              assertThatThrownBy(
                      () ->
                          ProofOfEnergyGeneration.Seal.decode(
                              java.util.Arrays.copyOf(bytes, bytes.length + 1)))
                  .hasMessageContaining("98 bytes, must be 97");
            });
  }

  @Test
  void signer_isTheHighestScoringMember_tiesToTheLowestAddress() {
    Address a = Fixtures.key(1).address();
    Address b = Fixtures.key(2).address();
    Address lo = a.compareTo(b) < 0 ? a : b;
    Address hi = lo == a ? b : a;
    assertThat(new Candidate("x", 1, List.of(new Member(hi, 5, 0), new Member(lo, 4, 0))).signer())
        .isEqualTo(hi);
    assertThat(new Candidate("x", 1, List.of(new Member(hi, 5, 0), new Member(lo, 5, 0))).signer())
        .isEqualTo(lo);
  }

  @Test
  void badInput_isRefused_namingTheValue() {
    Address a = Fixtures.key(1).address();
    assertThatThrownBy(() -> new Candidate("", 1, List.of(new Member(a, 1, 1))))
        .hasMessageContaining("1 to 64");
    assertThatThrownBy(() -> new Candidate("x", -1, List.of(new Member(a, 1, 1))))
        .hasMessageContaining("proofScore -1.0 of coalition x");
    assertThatThrownBy(() -> new Candidate("x", 1, List.of())).hasMessageContaining("no members");
    assertThatThrownBy(
            () -> new Candidate("x", 1, List.of(new Member(a, 1, 1), new Member(a, 2, 1))))
        .hasMessageContaining("twice");
    assertThatThrownBy(() -> new Member(a, Double.NaN, 1)).hasMessageContaining("score NaN");
    assertThatThrownBy(() -> new Member(a, 1, -2)).hasMessageContaining("rewardWeight -2.0");
    assertThatThrownBy(() -> ProofOfEnergyGeneration.builder().timeout(Duration.ofMillis(0)))
        .hasMessageContaining("timeout PT0S must be at least 1 ms");
    assertThatThrownBy(() -> ProofOfEnergyGeneration.builder().blockReward(-1))
        .hasMessageContaining("blockReward -1");
    assertThatThrownBy(() -> ProofOfEnergyGeneration.builder().slashAmount(-1))
        .hasMessageContaining("slashAmount -1");
    assertThatThrownBy(() -> ProofOfEnergyGeneration.builder().build())
        .hasMessageContaining("source not set");
    EnergyProofSource dup =
        h ->
            List.of(
                new Candidate("x", 1, List.of(new Member(a, 1, 1))),
                new Candidate("x", 2, List.of(new Member(a, 1, 1))));
    assertThatThrownBy(
            () -> ProofOfEnergyGeneration.builder().source(dup).build().drawOrder(Hash.ZERO, 4))
        .hasMessageContaining("coalition x twice at height 4");
  }
}
