package org.gridtrade.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.gridtrade.consensus.poa.ProofOfAuthority;
import org.gridtrade.consensus.poeg.ProofOfEnergyGeneration;
import org.gridtrade.consensus.spi.Eligibility;
import org.gridtrade.consensus.spi.EnergyProofSource.Candidate;
import org.gridtrade.consensus.spi.EnergyProofSource.Member;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.junit.jupiter.api.Test;

/** PoEG with a minimum stake: signers below it are skipped, never accepted, and not slashed. */
class PoegMinStakeTest {
  private static final long TIMEOUT = 1_000;
  private static final long MIN = 1_000;

  private final List<KeyPair> signers = Fixtures.keys(50, 5);
  private final List<KeyPair> others = Fixtures.keys(70, 5);

  private List<Candidate> coalitions() {
    List<Candidate> out = new ArrayList<>();
    for (int i = 0; i < signers.size(); i++) {
      out.add(
          new Candidate(
              "c" + i,
              1 + i,
              List.of(
                  new Member(others.get(i).address(), 3, 1),
                  new Member(signers.get(i).address(), 10, 1))));
    }
    return out;
  }

  private ProofOfEnergyGeneration poeg(long minStake) {
    List<Candidate> cs = coalitions();
    return ProofOfEnergyGeneration.builder()
        .source(h -> cs)
        .timeout(Duration.ofMillis(TIMEOUT))
        .slashAmount(500)
        .minStake(minStake)
        .build();
  }

  private KeyPair keyOf(Address a) {
    return signers.stream().filter(k -> k.address().equals(a)).findFirst().orElseThrow();
  }

  private static LedgerState staked(LedgerState s, Map<KeyPair, Long> stakes) {
    List<Transaction> txs = new ArrayList<>();
    stakes.forEach(
        (k, v) ->
            txs.add(
                new TransactionBody(Fixtures.CHAIN, k.publicKey(), 0, 0, new Payload.Stake(v))
                    .sign(k)));
    if (txs.isEmpty()) {
      return s;
    }
    return ((LedgerState.Outcome.Applied)
            s.apply(txs, Genesis.NO_PROPOSER, Fixtures.GENESIS_TIME + 1))
        .state();
  }

  /**
   * Over random parents and stakes: a signer below the minimum is ineligible and its block
   * rejected; a signer at or above it is eligible after {@code timeout ×} (the number of staked
   * signers drawn before it), so the draw goes on with the next coalition without waiting for a
   * skipped one; its block is valid from exactly that delay on; its settlement slashes exactly the
   * staked signers drawn before it. With no minimum, the state-aware eligibility is the old one.
   */
  @Test
  void property_underStakedSignersAreSkipped_neverAccepted_andNotSlashed() {
    ProofOfEnergyGeneration p = poeg(MIN);
    ProofOfEnergyGeneration none = poeg(0);
    AtomicInteger firstDrawnSkipped = new AtomicInteger();
    qt().withFixedSeed(2024)
        .withExamples(60)
        .forAll(longs().between(0, 1L << 40))
        .checkAssert(
            seed -> {
              Random rnd = new Random(seed);
              Map<Address, Long> alloc = new HashMap<>();
              signers.forEach(k -> alloc.put(k.address(), 10_000L));
              Genesis g =
                  new Genesis(
                      Fixtures.CHAIN,
                      alloc,
                      Set.of(signers.get(0).address()),
                      Fixtures.GENESIS_TIME + seed);
              ChainFixture chain = new ChainFixture(g);
              BlockHeader parent = chain.head();
              Map<KeyPair, Long> stakes = new HashMap<>();
              long[] choices = {0, MIN - 1, MIN, 3 * MIN};
              for (KeyPair k : signers) {
                long v = choices[rnd.nextInt(choices.length)];
                if (v > 0) {
                  stakes.put(k, v);
                }
              }
              LedgerState state = staked(g.state(), stakes);
              List<ProofOfEnergyGeneration.Draw> drawn = p.drawOrder(parent.hash(), 1);
              assertThat(drawn).hasSize(signers.size());
              if (state.account(drawn.get(0).signer()).stake() < MIN) {
                firstDrawnSkipped.incrementAndGet();
              }
              List<Address> stakedBefore = new ArrayList<>();
              for (ProofOfEnergyGeneration.Draw d : drawn) {
                KeyPair k = keyOf(d.signer());
                long stake = state.account(d.signer()).stake();
                Eligibility e = p.eligibility(chain, parent, state, d.signer());
                if (stake < MIN) {
                  assertThat(e).isInstanceOf(Eligibility.Ineligible.class);
                  BlockHeader u = chain.next(k, 20 * TIMEOUT);
                  BlockHeader sealed = u.withSeal(ProofOfEnergyGeneration.Seal.sign(u, k).encode());
                  assertThat(p.verifySeal(chain, sealed, parent, state))
                      .hasValueSatisfying(m -> assertThat(m).contains("minStake"));
                  continue;
                }
                int rank = stakedBefore.size();
                assertThat(e).isEqualTo(new Eligibility.Eligible(rank * TIMEOUT, rank == 0));
                // chain.next adds 1 s to the parent's time; TIMEOUT is 1 s.
                BlockHeader onTime = chain.next(k, Math.max(0, rank - 1) * TIMEOUT);
                onTime = onTime.withSeal(p.seal(chain, onTime, k));
                assertThat(p.verifySeal(chain, onTime, parent, state)).isEmpty();
                if (rank >= 1) {
                  BlockHeader early = chain.next(k, (rank - 1) * TIMEOUT - 1);
                  early = early.withSeal(p.seal(chain, early, k));
                  assertThat(p.verifySeal(chain, early, parent, state)).isPresent();
                }
                Set<Address> slashed = new HashSet<>();
                for (Payload pl : p.settlement(parent, state, d.signer())) {
                  if (pl instanceof Payload.Slash s) {
                    slashed.add(s.offender());
                  }
                }
                assertThat(slashed).isEqualTo(new HashSet<>(stakedBefore));
                stakedBefore.add(d.signer());
              }
              for (KeyPair k : signers) {
                assertThat(none.eligibility(chain, parent, state, k.address()))
                    .isEqualTo(none.eligibility(chain, parent, k.address()));
              }
            });
    assertThat(firstDrawnSkipped.get()).as("examples whose first draw was skipped").isPositive();
  }

  @Test
  void minStake_mustNotBeNegative() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> ProofOfEnergyGeneration.builder().minStake(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("minStake -1");
  }

  /**
   * Engines on a network: PoA until the stakes are in, then PoEG with a minimum stake that only two
   * of four sealers meet. Every PoEG block is by a staked sealer, the nodes agree, and where the
   * first-drawn signers were unstaked the next staked one sealed without waiting a timeout.
   */
  @Test
  void engines_skipUnderStakedSigners_withoutWaitingForThem() {
    long switchHeight = 6;
    long timeout = 600;
    java.util.function.Function<List<Address>, ProofOfEnergyGeneration> poegOf =
        sealers -> {
          List<Candidate> cs = new ArrayList<>();
          for (int i = 0; i < sealers.size(); i++) {
            cs.add(
                new Candidate(
                    "c" + i,
                    1 + i,
                    List.of(
                        new Member(sealers.get(i), 10, 1),
                        new Member(Fixtures.key(10 + i).address(), 4, 1))));
          }
          List<Candidate> fixed = List.copyOf(cs);
          return ProofOfEnergyGeneration.builder()
              .source(h -> fixed)
              .timeout(Duration.ofMillis(timeout))
              .minStake(MIN)
              .build();
        };
    Sim sim =
        new Sim(
            4,
            5,
            1,
            100,
            0,
            BlockPolicy.DEFAULT
                .withBlockPeriod(Duration.ofMillis(200))
                .withMaxTransactions(50)
                .withStatusInterval(Duration.ofMillis(500)),
            sealers ->
                ConsensusSchedule.builder()
                    .from(
                        1,
                        ProofOfAuthority.builder()
                            .sealers(sealers)
                            .outOfTurnDelay(Duration.ofMillis(600))
                            .wiggle(Duration.ofMillis(300))
                            .build())
                    .from(switchHeight, poegOf.apply(sealers))
                    .build(),
            null);
    sim.endSender = 50; // the sealers send only their stakes
    sim.startAll();
    BlockEngine n0 = sim.live.get(sim.id(0));
    for (int i = 0; i < 2; i++) {
      KeyPair k = sim.sealers.get(i);
      assertThat(
              n0.submit(
                      new TransactionBody(
                              Fixtures.CHAIN, k.publicKey(), 0, 0, new Payload.Stake(MIN))
                          .sign(k))
                  .accepted())
          .isTrue();
    }
    sim.runWithLoad(15_000, 0.3);
    sim.run(5_000);
    List<BlockEngine> nodes = List.copyOf(sim.live.values());
    BlockEngine e = nodes.get(0);
    assertThat(e.ledger().height()).isGreaterThan(switchHeight + 10);
    for (BlockEngine x : nodes) {
      assertThat(Sim.hashes(x)).isEqualTo(Sim.hashes(e));
    }
    assertThat(sim.rejections).isEmpty();
    Set<Address> staked = Set.of(sim.sealers.get(0).address(), sim.sealers.get(1).address());
    ProofOfEnergyGeneration p = poegOf.apply(Fixtures.addresses(sim.sealers));
    int skippedWithoutWait = 0;
    for (long h = switchHeight; h <= e.ledger().height(); h++) {
      BlockHeader b = e.ledger().block(h).orElseThrow().header();
      BlockHeader parent = e.ledger().block(h - 1).orElseThrow().header();
      assertThat(b.proposer()).as("proposer at %d", h).isIn(staked);
      List<ProofOfEnergyGeneration.Draw> order = p.drawOrder(parent.hash(), h);
      int rank = 0;
      while (!order.get(rank).signer().equals(b.proposer())) {
        rank++;
      }
      boolean onlyUnstakedBefore =
          order.subList(0, rank).stream().noneMatch(d -> staked.contains(d.signer()));
      if (rank > 0 && onlyUnstakedBefore) {
        skippedWithoutWait++;
        assertThat(b.timestamp() - parent.timestamp())
            .as("height %d: rank %d in the draw, first among the staked", h, rank)
            .isLessThan(timeout);
      }
    }
    assertThat(skippedWithoutWait).as("heights whose first draws were skipped").isPositive();
    sim.closeAll();
  }
}
