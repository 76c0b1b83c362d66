package org.gridtrade.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.gridtrade.consensus.spi.Eligibility;
import org.gridtrade.consensus.trust.TrustParameters;
import org.gridtrade.consensus.trust.TrustStake;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.junit.jupiter.api.Test;

/**
 * {@link TrustStake}'s trust coins (Alg. 3) paid on chain by a treasury, on a real ledger: the
 * reward each block pays its parent's proposer against an independent recomputation of Alg. 1, 3
 * and 4 from the blocks, and the content check of received blocks.
 */
class TrustCoinsTest {
  /** β in seconds and coins of 1,000 micro-coins, so that the terms move within a short chain. */
  private static final TrustParameters UNITS = new TrustParameters(1_000, 1_000, 3.0);

  private static final long UNIT = 1_000_000;

  private final List<KeyPair> keys = Fixtures.keys(200, 8);
  private final KeyPair treasury = keys.get(0); // the genesis authority
  private final Genesis genesis = Fixtures.genesis(keys, 1_000_000_000_000L);
  private final List<Address> committee =
      List.of(keys.get(1).address(), keys.get(2).address(), keys.get(3).address());
  private final long[] nonces = new long[keys.size()];

  private TrustStake protocol(boolean withTreasury) {
    TrustStake.Builder b =
        TrustStake.builder()
            .initialValidators(committee)
            .committeeSize(3)
            .epochLength(10)
            .selectionBlock(5)
            .timeout(Duration.ofMillis(1_000))
            .minTrust(0)
            .trustParameters(UNITS);
    return (withTreasury ? b.treasury(treasury) : b).build();
  }

  private static KeyPair inTurn(TrustStake p, LedgerChain c, List<KeyPair> ks) {
    for (KeyPair k : ks) {
      Eligibility e = p.eligibility(c.viewAt(c.nextHeight()), c.ledger.head(), k.address());
      if (e instanceof Eligibility.Eligible ok && ok.inTurn()) {
        return k;
      }
    }
    throw new IllegalStateException("nobody in turn at " + c.nextHeight());
  }

  private Transaction tx(int from, long fee, Payload p) {
    KeyPair k = keys.get(from);
    return new TransactionBody(Fixtures.CHAIN, k.publicKey(), nonces[from]++, fee, p).sign(k);
  }

  private Transaction reward(long nonce, Address to, long amount) {
    return new TransactionBody(
            Fixtures.CHAIN, treasury.publicKey(), nonce, 0, new Payload.Reward(to, amount))
        .sign(treasury);
  }

  // ------------------------------------------------------------------ the independent oracle

  /** Alg. 1, 3 and 4 recomputed from the blocks with plain sums and means. */
  private final class Oracle {
    final Map<Address, Long> registered = new HashMap<>();
    final Map<Address, Long> traded = new HashMap<>();
    final Map<Address, List<Double>> temps = new HashMap<>();
    final Map<Hash, Address[]> trades = new HashMap<>();
    final Map<Address, List<Double>> blockTrusts = new HashMap<>();

    double xi(double x) {
      return 5 / (1 + Math.exp(-0.5 * x));
    }

    double trust(Address a) {
      List<Double> t = temps.get(a);
      return t == null ? 0 : t.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }

    double validatorTrust(Address a) {
      List<Double> t = blockTrusts.get(a);
      return t == null ? 3.0 : t.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }

    void seen(Address a, long time) {
      registered.putIfAbsent(a, time);
    }

    /** Folds a block; returns the micro-coins it earns its proposer (0 if none). */
    long fold(Block b) {
      long time = b.header().timestamp();
      Address v = b.header().proposer();
      // Alg. 4, with the proposer's registration before the block.
      double betaV = registered.containsKey(v) ? (time - registered.get(v)) / 1000.0 : 0;
      long coinsMicro = 0;
      for (Transaction t : b.transactions()) {
        if (t.body().payload() instanceof Payload.EnergyTrade et) {
          coinsMicro += et.paymentMicro();
        }
      }
      double avg =
          (xi(betaV) + xi(coinsMicro / 1000.0) + xi(b.transactions().size())) / 3; // |TL_b|
      double others = 0;
      int n = 0;
      for (Address i : committee) {
        if (!i.equals(v)) {
          others += validatorTrust(i);
          n++;
        }
      }
      double tv = avg * (others / n) / 5;
      blockTrusts.computeIfAbsent(v, x -> new ArrayList<>()).add(tv);
      // Alg. 1, in block order.
      for (Transaction t : b.transactions()) {
        seen(t.sender(), time);
        Payload p = t.body().payload();
        if (p instanceof Payload.Transfer tr) {
          seen(tr.to(), time);
        } else if (p instanceof Payload.EnergyTrade et) {
          seen(et.seller(), time);
          seen(et.buyer(), time);
          traded.merge(et.seller(), et.paymentMicro(), Long::sum);
          traded.merge(et.buyer(), et.paymentMicro(), Long::sum);
          trades.put(t.id(), new Address[] {et.seller(), et.buyer()});
        } else if (p instanceof Payload.Rating r) {
          Address[] sb = trades.get(r.trade());
          Address rated = t.sender().equals(sb[0]) ? sb[1] : sb[0];
          double beta = (time - registered.get(rated)) / 1000.0;
          double gamma = traded.getOrDefault(rated, 0L) / 1000.0;
          temps
              .computeIfAbsent(rated, x -> new ArrayList<>())
              .add((r.score() + xi(beta) + xi(gamma)) / 3);
        }
      }
      // Alg. 3, buyer trust after the block.
      boolean earns =
          b.transactions().stream().anyMatch(t -> !t.sender().equals(treasury.address()));
      if (!earns) {
        return 0;
      }
      double lambda = 0;
      double theta = 0;
      for (Transaction t : b.transactions()) {
        if (t.body().payload() instanceof Payload.EnergyTrade et) {
          lambda += t.body().fee() / 1000.0 * trust(et.buyer());
          theta += et.paymentMicro() / 1000.0;
        }
      }
      double rho = 5 + lambda + 1 / (1 + Math.exp(-0.5 * theta)) + tv;
      return Math.round(rho * UNIT);
    }
  }

  // ------------------------------------------------------------------ random traffic

  /** Random user transactions for the next block: trades, ratings of earlier trades, transfers. */
  private List<Transaction> traffic(Random rnd, Map<Hash, int[]> rateable) {
    List<Transaction> out = new ArrayList<>();
    if (rnd.nextInt(5) == 0) {
      return out; // a block with nothing but the treasury's reward (or nothing at all)
    }
    int count = 1 + rnd.nextInt(4);
    List<Hash> open = new ArrayList<>(rateable.keySet());
    for (int i = 0; i < count; i++) {
      int kind = rnd.nextInt(3);
      if (kind == 1 && !open.isEmpty()) {
        Hash trade = open.remove(rnd.nextInt(open.size()));
        int[] parties = rateable.remove(trade); // seller, buyer; one party rates
        int rater = parties[rnd.nextInt(2)];
        out.add(tx(rater, rnd.nextInt(3), new Payload.Rating(trade, 1 + rnd.nextInt(5))));
      } else if (kind == 2) {
        int from = 1 + rnd.nextInt(7);
        int to = 1 + (from + rnd.nextInt(6)) % 7;
        out.add(tx(from, rnd.nextInt(50), new Payload.Transfer(keys.get(to).address(), 1_000)));
      } else {
        int buyer = 1 + rnd.nextInt(7);
        int seller = 1 + (buyer + rnd.nextInt(6)) % 7;
        out.add(
            tx(
                buyer,
                rnd.nextInt(5_000),
                new Payload.EnergyTrade(
                    keys.get(seller).address(),
                    keys.get(buyer).address(),
                    1 + rnd.nextInt(5_000),
                    rnd.nextInt(300_000),
                    "test/" + i)));
      }
    }
    return out;
  }

  @Test
  void eachBlockPaysItsParentsTrustCoins_asAnIndependentRecomputation() {
    qt().withFixedSeed(4_004)
        .withExamples(6)
        .forAll(longs().between(1, 1_000_000))
        .checkAssert(
            seed -> {
              java.util.Arrays.fill(nonces, 0);
              Random rnd = new Random(seed);
              TrustStake p = protocol(true);
              LedgerChain c = new LedgerChain(genesis, ConsensusSchedule.of(p));
              Oracle oracle = new Oracle();
              Map<Hash, int[]> rateable = new LinkedHashMap<>();
              long earned = 0; // by the head, due in the next block
              Address earner = null;
              long supply = c.ledger.state().totalSupply();
              long paid = 0;
              for (int h = 1; h <= 24; h++) {
                KeyPair k = inTurn(p, c, keys.subList(1, 4));
                List<Transaction> user = traffic(rnd, rateable);
                Block b = c.next(k, user.toArray(Transaction[]::new));
                List<Transaction> treasuryTxs =
                    b.transactions().stream()
                        .filter(t -> t.sender().equals(treasury.address()))
                        .toList();
                if (earned == 0) {
                  assertThat(treasuryTxs).as("no reward in block %d", h).isEmpty();
                } else {
                  assertThat(treasuryTxs).as("one reward in block %d", h).hasSize(1);
                  assertThat(b.transactions().get(0)).isEqualTo(treasuryTxs.get(0));
                  Payload.Reward r = (Payload.Reward) treasuryTxs.get(0).body().payload();
                  assertThat(r.to()).as("paid to the parent's proposer").isEqualTo(earner);
                  assertThat(r.amount())
                      .as("trust coins of block %d", h - 1)
                      .isCloseTo(earned, org.assertj.core.data.Offset.offset(1L));
                  paid += r.amount();
                }
                earned = oracle.fold(b);
                earner = b.header().proposer();
                assertThat(earned == 0)
                    .as("block %d earns nothing iff it carries only the treasury's", h)
                    .isEqualTo(user.isEmpty());
                for (int i = 0; i < user.size(); i++) {
                  if (user.get(i).body().payload() instanceof Payload.EnergyTrade et) {
                    rateable.put(
                        user.get(i).id(), new int[] {indexOf(et.seller()), indexOf(et.buyer())});
                  }
                }
              }
              assertThat(c.ledger.state().totalSupply())
                  .as("rewards mint coins")
                  .isEqualTo(supply + paid);
              assertThat(paid).isGreaterThan(0);
              assertThat(oracle.temps).as("some ratings confirmed").isNotEmpty();
            });
  }

  private int indexOf(Address a) {
    for (int i = 0; i < keys.size(); i++) {
      if (keys.get(i).address().equals(a)) {
        return i;
      }
    }
    throw new IllegalArgumentException(a.toString());
  }

  @Test
  void blockWithAWrongMissingOrExtraReward_isRejected_stateUnchanged() {
    TrustStake p = protocol(true);
    LedgerChain c = new LedgerChain(genesis, ConsensusSchedule.of(p));
    // At the activation height nothing is due: a reward there is unprescribed.
    KeyPair k1 = inTurn(p, c, keys.subList(1, 4));
    Transaction trade =
        tx(
            4,
            2_000,
            new Payload.EnergyTrade(
                keys.get(5).address(), keys.get(4).address(), 3_000, 150_000, "test"));
    assertRejected(
        c, c.exactly(k1, List.of(reward(0, k1.address(), 6 * UNIT), trade), 1_000), "unprescribed");
    Block first = c.next(k1, trade);
    KeyPair k2 = inTurn(p, c, keys.subList(1, 4));
    List<Transaction> due = c.settlementFor(k2);
    assertThat(due).hasSize(1);
    Payload.Reward r = (Payload.Reward) due.get(0).body().payload();
    assertThat(r.to()).isEqualTo(first.header().proposer());
    assertThat(p.trustCoins(c.viewAt(2), first.header())).contains(r);
    Transaction transfer = tx(6, 1, new Payload.Transfer(keys.get(7).address(), 10));
    Address other = committee.stream().filter(a -> !a.equals(r.to())).findFirst().orElseThrow();
    // Missing, wrong amount (either way), wrong recipient, extra reward, reward not first.
    assertRejected(c, c.exactly(k2, List.of(transfer), 1_000), "not the prescribed");
    assertRejected(
        c,
        c.exactly(k2, List.of(reward(0, r.to(), r.amount() + 1), transfer), 1_000),
        "not the prescribed");
    assertRejected(
        c,
        c.exactly(k2, List.of(reward(0, r.to(), r.amount() - 1), transfer), 1_000),
        "not the prescribed");
    assertRejected(
        c,
        c.exactly(k2, List.of(reward(0, other, r.amount()), transfer), 1_000),
        "not the prescribed");
    assertRejected(
        c,
        c.exactly(k2, List.of(due.get(0), reward(1, other, 5), transfer), 1_000),
        "unprescribed");
    assertRejected(c, c.exactly(k2, List.of(transfer, due.get(0)), 1_000), "not the prescribed");
    // The prescribed block is accepted and pays the proposer of block 1.
    long before = c.ledger.state().account(r.to()).balance();
    Block second = c.next(k2, transfer);
    assertThat(second.transactions().get(0)).isEqualTo(due.get(0));
    long fees = second.header().proposer().equals(r.to()) ? 1 : 0;
    assertThat(c.ledger.state().account(r.to()).balance()).isEqualTo(before + r.amount() + fees);
  }

  @Test
  void anEquivocatorIsNotPaid_forTheBlockItEquivocatedAt() {
    TrustStake p = protocol(true);
    LedgerChain c = new LedgerChain(genesis, ConsensusSchedule.of(p));
    c.next(inTurn(p, c, keys.subList(1, 4)), tx(4, 1, new Payload.Transfer(treasury.address(), 1)));
    c.next(inTurn(p, c, keys.subList(1, 4)), tx(4, 1, new Payload.Transfer(treasury.address(), 1)));
    // The validator in turn at height 3 signs two different blocks; one becomes canonical.
    KeyPair cheat = inTurn(p, c, keys.subList(1, 4));
    Transaction t3 = tx(5, 1, new Payload.Transfer(keys.get(6).address(), 1));
    Block one = c.build(cheat, List.of(t3), 1_000);
    Block two = c.build(cheat, List.of(t3), 1_001);
    assertThat(c.receive(one)).isEmpty();
    Payload.Reward earned = p.trustCoins(c.viewAt(3), one.header()).orElseThrow();
    assertThat(earned.to()).isEqualTo(cheat.address());
    KeyPair next = inTurn(p, c, keys.subList(1, 4));
    assertThat(next).isNotEqualTo(cheat);
    TrustStake other = protocol(true); // a node that never saw the evidence
    long treasuryNonce = c.ledger.state().account(treasury.address()).nonce();
    Transaction t4 = tx(5, 1, new Payload.Transfer(keys.get(6).address(), 1));
    // Before the evidence: the next block must pay the cheat.
    assertThat(c.settlementFor(next)).hasSize(1);
    // A node holding the evidence pays nothing in the same slot: its seal carries the evidence,
    // and every node checks that.
    TrustStake q = protocol(true);
    q.report(new Evidence(one.header(), two.header()));
    LedgerChain d = new LedgerChain(genesis, ConsensusSchedule.of(q));
    for (long h = 1; h <= 3; h++) {
      assertThat(d.receive(c.ledger.block(h).orElseThrow())).isEmpty();
    }
    assertThat(d.settlementFor(next)).isEmpty();
    Block paid =
        d.exactly(
            next, List.of(reward(treasuryNonce, cheat.address(), earned.amount()), t4), 1_000);
    assertThat(paid.header().seal().length).as("carries the evidence").isGreaterThan(200);
    assertThat(other.checkBlock(d.viewAt(4), paid, d.ledger.head(), d.ledger.state()))
        .hasValueSatisfying(r -> assertThat(r).contains("unprescribed"));
    assertRejected(d, paid, "unprescribed");
    Block unpaid = d.exactly(next, List.of(t4), 1_000);
    assertThat(other.checkBlock(d.viewAt(4), unpaid, d.ledger.head(), d.ledger.state())).isEmpty();
    long before = d.ledger.state().account(cheat.address()).balance();
    assertThat(d.receive(unpaid)).isEmpty();
    assertThat(other.snapshot(d.viewAt(4), unpaid.header()).confiscated())
        .containsExactly(cheat.address());
    assertThat(d.ledger.state().account(cheat.address()).balance()).isEqualTo(before);
  }

  @Test
  void aValidatorConfiscatedByAttestation_isNotPaidByTheBlockWhoseSealConfiscatesIt() {
    TrustStake p = protocol(true);
    LedgerChain c = new LedgerChain(genesis, ConsensusSchedule.of(p));
    List<KeyPair> members = keys.subList(1, 4);
    c.next(inTurn(p, c, members), tx(4, 1, new Payload.Transfer(keys.get(5).address(), 1)));
    // The validator in turn credits itself through the state root: a state-dependent invalid
    // block, which no seal can prove. Every node rejects it.
    KeyPair cheat = inTurn(p, c, members);
    Block honest = c.build(cheat, List.of(), 1_000);
    org.gridtrade.ledger.BlockHeader h = honest.header();
    org.gridtrade.ledger.BlockHeader forged =
        new org.gridtrade.ledger.BlockHeader(
            h.height(),
            h.previousHash(),
            h.transactionsRoot(),
            h.transactionCount(),
            Hash.sha256(new byte[] {9}),
            h.timestamp(),
            h.proposer(),
            new byte[0]);
    Block bad =
        new Block(
            forged.withSeal(p.seal(c.viewAt(c.nextHeight()), forged, cheat)),
            honest.transactions());
    assertRejected(c, bad, "stateRoot");
    List<KeyPair> others = members.stream().filter(k -> !k.equals(cheat)).toList();

    // First attestation (needs 2 of the 2 other members): counted, nothing confiscated yet.
    p.attestInvalid(bad.header());
    Block first =
        c.build(
            others.get(0),
            List.of(tx(4, 1, new Payload.Transfer(keys.get(5).address(), 1))),
            3_000);
    assertThat(first.header().seal().length).as("carries the attestation").isEqualTo(190);
    assertThat(c.receive(first)).isEmpty();
    assertThat(p.snapshot(c.viewAt(c.ledger.height()), c.ledger.head()).attestations())
        .singleElement()
        .satisfies(a -> assertThat(a.offender()).isEqualTo(cheat.address()));
    // The cheat then seals a valid block, which earns trust coins.
    Block earning =
        c.build(cheat, List.of(tx(4, 1, new Payload.Transfer(keys.get(5).address(), 1))), 3_000);
    assertThat(c.receive(earning)).isEmpty();
    Payload.Reward earned =
        p.trustCoins(c.viewAt(c.ledger.height()), c.ledger.head()).orElseThrow();
    assertThat(earned.to()).isEqualTo(cheat.address());

    // A member without the attestation pays the cheat; the one whose attestation completes the
    // count confiscates, and pays nothing: every node checks that.
    KeyPair last = others.get(1);
    long height = c.nextHeight();
    TrustStake other = protocol(true); // a node that never saw the bad block
    assertThat(
            other.rewardsAndPenalties(
                c.viewAt(height), c.ledger.head(), c.ledger.state(), last.address()))
        .hasSize(1);
    p.attestInvalid(bad.header());
    assertThat(c.settlementFor(last)).isEmpty();
    long treasuryNonce = c.ledger.state().account(treasury.address()).nonce();
    Transaction t = tx(4, 1, new Payload.Transfer(keys.get(5).address(), 1));
    Block paid =
        c.exactly(last, List.of(reward(treasuryNonce, cheat.address(), earned.amount()), t), 3_000);
    assertThat(other.checkBlock(c.viewAt(height), paid, c.ledger.head(), c.ledger.state()))
        .hasValueSatisfying(r -> assertThat(r).contains("unprescribed"));
    Block unpaid = c.exactly(last, List.of(t), 3_000);
    assertThat(unpaid.header().seal().length).isEqualTo(190);
    assertThat(other.checkBlock(c.viewAt(height), unpaid, c.ledger.head(), c.ledger.state()))
        .isEmpty();
    long before = c.ledger.state().account(cheat.address()).balance();
    assertThat(c.receive(unpaid)).isEmpty();
    TrustStake.Snapshot s = other.snapshot(c.viewAt(height), unpaid.header());
    assertThat(s.confiscated()).containsExactly(cheat.address());
    assertThat(s.order()).doesNotContain(cheat.address());
    assertThat(c.ledger.state().account(cheat.address()).balance()).isEqualTo(before);
  }

  private static void assertRejected(LedgerChain c, Block bad, String reason) {
    Hash root = c.ledger.state().root();
    long height = c.ledger.height();
    Optional<String> problem = c.receive(bad);
    assertThat(problem).as("block with %s", bad.transactions()).isPresent();
    assertThat(problem.get()).contains(reason);
    assertThat(c.ledger.state().root()).isEqualTo(root);
    assertThat(c.ledger.height()).isEqualTo(height);
  }

  @Test
  void withoutTreasury_nothingIsPaid_andAnyRewardFreeBlockIsAccepted() {
    TrustStake p = protocol(false);
    LedgerChain c = new LedgerChain(genesis, ConsensusSchedule.of(p));
    for (int h = 1; h <= 12; h++) {
      KeyPair k = inTurn(p, c, keys.subList(1, 4));
      assertThat(c.settlementFor(k)).isEmpty();
      Block b = c.next(k, tx(4, 1, new Payload.Transfer(keys.get(5).address(), 7)));
      assertThat(b.transactions()).hasSize(1);
      // Still computed, for information: at least R_b = 5 trust coins.
      assertThat(p.trustCoins(c.viewAt(h), b.header()).orElseThrow().amount())
          .isGreaterThanOrEqualTo(5 * UNIT);
    }
  }

  @Test
  void trustCoinUnit_mustBePositive() {
    assertThatThrownBy(() -> TrustStake.builder().trustCoinMicro(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trustCoinMicro 0");
  }
}
