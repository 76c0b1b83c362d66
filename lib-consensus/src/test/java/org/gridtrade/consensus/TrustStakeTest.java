package org.gridtrade.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.gridtrade.consensus.spi.Eligibility;
import org.gridtrade.consensus.trust.TrustStake;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Signature;
import org.gridtrade.ledger.Transaction;
import org.junit.jupiter.api.Test;

/** {@link TrustStake} at protocol level: selection, order, trust threshold, confiscation. */
class TrustStakeTest {
  private static final long TIMEOUT = 1_000;
  private final List<KeyPair> keys = Fixtures.keys(100, 12);
  private final TrustChain chain = new TrustChain(Fixtures.genesis(keys, 1_000_000_000_000L));

  private TrustStake protocol(double minTrust) {
    return TrustStake.builder()
        .initialValidators(List.of(addr(0), addr(1), addr(2)))
        .committeeSize(3)
        .epochLength(10)
        .selectionBlock(5)
        .timeout(Duration.ofMillis(TIMEOUT))
        .minTrust(minTrust)
        .build();
  }

  private Address addr(int i) {
    return keys.get(i).address();
  }

  private Set<Address> addrs(int... is) {
    Set<Address> s = new HashSet<>();
    for (int i : is) {
      s.add(addr(i));
    }
    return s;
  }

  /** Appends in-turn blocks until the head is at {@code height}. */
  private void growTo(TrustStake p, long height) {
    while (chain.head().height() < height) {
      chain.append(p, chain.inTurn(p, keys), List.of(), 1_000);
    }
  }

  @Test
  void epochs_nextCommitteeFromTheRestOfThePoolByDeposit_orderFromTheChain() {
    TrustStake p = protocol(0);
    List<Transaction> burns = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      burns.add(chain.burn(keys.get(i), i, i < 3 ? 50 : 100L * i)); // 3..8 burn 300..800
    }
    chain.append(p, chain.inTurn(p, keys), burns, 1_000);
    growTo(p, 4);
    assertThat(p.snapshot(chain, chain.head()).nextCommittee()).isEmpty();
    growTo(p, 5);
    TrustStake.Snapshot s5 = p.snapshot(chain, chain.head());
    assertThat(s5.nextCommittee()).containsExactly(addr(8), addr(7), addr(6));
    assertThat(s5.depositsMicro()).containsEntry(addr(5), 500L).containsEntry(addr(0), 50L);
    growTo(p, 10);
    TrustStake.Snapshot s10 = p.snapshot(chain, chain.head());
    assertThat(s10.epoch()).isEqualTo(1);
    assertThat(new HashSet<>(s10.committee())).isEqualTo(addrs(6, 7, 8));
    assertThat(s10.order())
        .isEqualTo(TrustStake.signingOrder(s10.committee(), chain.head().hash()));
    // Only the committee may propose, each after its rank's delay.
    for (int i = 0; i < keys.size(); i++) {
      Eligibility e = p.eligibility(chain, chain.head(), addr(i));
      assertThat(e.eligible()).as("key %d", i).isEqualTo(i >= 6 && i <= 8);
      if (e instanceof Eligibility.Eligible el) {
        int rank = s10.order().indexOf(addr(i)); // offset 0 of the epoch
        assertThat(el.delayMillis()).isEqualTo(rank * TIMEOUT);
        assertThat(el.inTurn()).isEqualTo(rank == 0);
      }
    }
    growTo(p, 15);
    assertThat(p.snapshot(chain, chain.head()).nextCommittee())
        .containsExactly(addr(5), addr(4), addr(3));
    growTo(p, 20);
    TrustStake.Snapshot s20 = p.snapshot(chain, chain.head());
    assertThat(new HashSet<>(s20.committee())).isEqualTo(addrs(3, 4, 5));
    // Every proposer of epoch 1 was a member of it; validator trust was updated (Alg. 4).
    for (long h = 11; h <= 20; h++) {
      assertThat(addrs(6, 7, 8)).contains(chain.header(h).orElseThrow().proposer());
    }
    assertThat(s20.validatorTrust()).containsKeys(addr(6), addr(7), addr(8));
  }

  @Test
  void twoNodes_foldTheSameChain_toTheSameState() {
    TrustStake a = protocol(0);
    List<Transaction> burns = new ArrayList<>();
    for (int i = 3; i < 12; i++) {
      burns.add(chain.burn(keys.get(i), i, 1_000 + 37L * (i % 4)));
    }
    chain.append(a, chain.inTurn(a, keys), burns, 1_000);
    growTo(a, 27);
    TrustStake b = protocol(0); // a fresh node replays the stored chain
    for (long h : new long[] {27, 14, 5}) {
      TrustStake.Snapshot sa = a.snapshot(chain, chain.header(h).orElseThrow());
      TrustStake.Snapshot sb = b.snapshot(chain, chain.header(h).orElseThrow());
      assertThat(sb.committee()).isEqualTo(sa.committee());
      assertThat(sb.order()).isEqualTo(sa.order());
      assertThat(sb.nextCommittee()).isEqualTo(sa.nextCommittee());
      assertThat(sb.depositsMicro()).isEqualTo(sa.depositsMicro());
      assertThat(sb.validatorTrust()).isEqualTo(sa.validatorTrust());
      assertThat(sb.trust().traders()).isEqualTo(sa.trust().traders());
    }
  }

  @Test
  void trustThreshold_keepsOutABigDepositorWithBadRatings() {
    TrustStake p = protocol(3.5);
    KeyPair good = keys.get(3);
    KeyPair bad = keys.get(4);
    KeyPair buyer = keys.get(5);
    Transaction t1 = trade(good, buyer, 5);
    Transaction t2 = trade(bad, buyer, 5);
    chain.append(p, chain.inTurn(p, keys), List.of(t1, t2), 1_000);
    chain.append(
        p,
        chain.inTurn(p, keys),
        List.of(
            chain.tx(buyer, 5, new Payload.Rating(t1.id(), 5)),
            chain.tx(buyer, 5, new Payload.Rating(t2.id(), 1)),
            chain.burn(good, 3, 1_000),
            chain.burn(bad, 4, 1_000_000)),
        1_000);
    growTo(p, 5);
    TrustStake.Snapshot s = p.snapshot(chain, chain.head());
    assertThat(s.trust().trust(good.address())).isGreaterThanOrEqualTo(3.5);
    assertThat(s.trust().trust(bad.address())).isLessThan(3.5);
    assertThat(s.nextCommittee()).containsExactly(good.address());
  }

  private Transaction trade(KeyPair seller, KeyPair buyer, int buyerIndex) {
    return chain.tx(
        buyer,
        buyerIndex,
        new Payload.EnergyTrade(seller.address(), buyer.address(), 1_000, 10_000_000, "t"));
  }

  /**
   * Seals of version 1, written before headers in evidence took their canonical encoding, are still
   * read: a v1 seal carrying equivocation evidence (each header without the encoding's leading
   * version byte, the layout written out here field by field) verifies and confiscates.
   */
  @Test
  void legacySealVersion1_withEquivocationEvidence_verifiesAndConfiscates() {
    TrustStake p = protocol(0);
    growTo(p, 2);
    KeyPair cheat = chain.inTurn(p, keys);
    Block one = chain.unsealed(cheat.address(), List.of(), 1_000);
    Block two = chain.unsealed(cheat.address(), List.of(), 1_001);
    one = one.withSeal(p.seal(chain, one.header(), cheat));
    two = two.withSeal(p.seal(chain, two.header(), cheat));
    chain.blocks.add(one);
    Evidence ev = new Evidence(one.header(), two.header());
    KeyPair next =
        keys.stream()
            .filter(k -> k != cheat && p.eligibility(chain, chain.head(), k.address()).eligible())
            .findFirst()
            .orElseThrow();
    long gap =
        ((Eligibility.Eligible) p.eligibility(chain, chain.head(), next.address())).delayMillis()
            + 1_000;
    Block u = chain.unsealed(next.address(), List.of(), gap);
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    body.write(1); // seal version 1
    body.writeBytes(next.publicKey().bytes());
    body.write(2); // evidence kind 2: two headers
    for (BlockHeader h : List.of(ev.first(), ev.second())) {
      byte[] seal = h.seal();
      body.writeBytes(
          java.nio.ByteBuffer.allocate(138 + seal.length)
              .putLong(h.height())
              .put(h.previousHash().bytes())
              .put(h.transactionsRoot().bytes())
              .putInt(h.transactionCount())
              .put(h.stateRoot().bytes())
              .putLong(h.timestamp())
              .put(h.proposer().bytes())
              .putShort((short) seal.length)
              .put(seal)
              .array());
    }
    byte[] signed =
        java.nio.ByteBuffer.allocate(18 + 32 + body.size())
            .put("GridTrade/trust/v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
            .put(u.header().sealingHash().bytes())
            .put(body.toByteArray())
            .array();
    body.writeBytes(next.sign(signed).bytes());
    Block legacy = u.withSeal(body.toByteArray());

    assertThat(p.signer(legacy.header())).contains(next.address());
    assertThat(p.verifySeal(chain, legacy.header(), chain.head(), null)).isEmpty();
    chain.blocks.add(legacy);
    TrustStake.Snapshot s = protocol(0).snapshot(chain, chain.head());
    assertThat(s.confiscated()).containsExactly(cheat.address());
    assertThat(s.order()).doesNotContain(cheat.address());
  }

  @Test
  void confiscation_equivocationEvidenceInASeal_zeroesTheDepositForever() {
    TrustStake p = protocol(0);
    List<Transaction> burns = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      burns.add(chain.burn(keys.get(i), i, 10_000 - i));
    }
    chain.append(p, chain.inTurn(p, keys), burns, 1_000);
    // The in-turn validator signs two different blocks for height 3.
    growTo(p, 2);
    KeyPair cheat = chain.inTurn(p, keys);
    Block one = chain.unsealed(cheat.address(), List.of(), 1_000);
    Block two = chain.unsealed(cheat.address(), List.of(), 1_001);
    one = one.withSeal(p.seal(chain, one.header(), cheat));
    two = two.withSeal(p.seal(chain, two.header(), cheat));
    assertThat(p.verifySeal(chain, two.header(), chain.head(), null)).isEmpty();
    chain.blocks.add(one);
    Evidence ev = new Evidence(one.header(), two.header());
    TrustStake reporter = protocol(0); // another node's instance
    reporter.report(ev);
    KeyPair next = chain.inTurn(p, keys);
    if (next == cheat) {
      next =
          keys.stream()
              .filter(k -> p.eligibility(chain, chain.head(), k.address()).eligible() && k != cheat)
              .findFirst()
              .orElseThrow();
    }
    long gap =
        ((Eligibility.Eligible) p.eligibility(chain, chain.head(), next.address())).delayMillis()
            + 1_000;
    Block withEvidence = chain.append(reporter, next, List.of(), gap);
    assertThat(withEvidence.header().seal().length).isGreaterThan(200);
    // Every node (here: p, which never saw the evidence) verifies and folds it.
    TrustStake.Snapshot s = p.snapshot(chain, chain.head());
    assertThat(s.confiscated()).containsExactly(cheat.address());
    assertThat(s.depositsMicro()).containsEntry(cheat.address(), 0L);
    assertThat(s.order()).doesNotContain(cheat.address());
    assertThat(p.eligibility(chain, chain.head(), cheat.address()).eligible()).isFalse();
    // Reported again: dropped (slash once), the next seal carries nothing.
    reporter.report(ev);
    Block plain = chain.append(reporter, chain.inTurn(reporter, keys), List.of(), 1_000);
    assertThat(plain.header().seal().length).isLessThan(200);
    // A later, larger burn does not bring it back into the pool.
    chain.append(
        p,
        chain.inTurn(p, keys),
        List.of(chain.burn(cheat, keys.indexOf(cheat), 10_000_000)),
        1_000);
    growTo(p, 15);
    TrustStake.Snapshot later = p.snapshot(chain, chain.head());
    assertThat(later.depositsMicro()).containsEntry(cheat.address(), 0L);
    assertThat(later.committee()).doesNotContain(cheat.address());
    assertThat(later.nextCommittee()).doesNotContain(cheat.address());
  }

  @Test
  void confiscation_invalidHeaderSignedTooEarly_isProvenByTheHeaderAlone() {
    TrustStake p = protocol(0);
    chain.append(p, chain.inTurn(p, keys), List.of(chain.burn(keys.get(1), 1, 5_000)), 1_000);
    // A backup (rank > 0) signs right away instead of waiting its rank's delay: invalid block.
    KeyPair early = null;
    for (KeyPair k : keys) {
      if (p.eligibility(chain, chain.head(), k.address()) instanceof Eligibility.Eligible e
          && e.delayMillis() > 0) {
        early = k;
      }
    }
    Block bad = chain.unsealed(early.address(), List.of(), 10);
    bad = bad.withSeal(p.seal(chain, bad.header(), early));
    assertThat(p.verifySeal(chain, bad.header(), chain.head(), null))
        .hasValueSatisfying(m -> assertThat(m).contains("rank"));
    // A header that keeps the rules is no evidence: the seal drops it.
    TrustStake reporter = protocol(0);
    KeyPair inTurn = chain.inTurn(p, keys);
    Block fine = chain.unsealed(inTurn.address(), List.of(), 1_000);
    fine = fine.withSeal(p.seal(chain, fine.header(), inTurn));
    reporter.reportInvalid(fine.header());
    reporter.reportInvalid(bad.header());
    Block b = chain.append(reporter, inTurn, List.of(), 1_000);
    assertThat(b.header().seal().length).isGreaterThan(200);
    TrustStake.Snapshot s = p.snapshot(chain, chain.head());
    assertThat(s.confiscated()).containsExactly(early.address());
    assertThat(s.order()).doesNotContain(early.address());
  }

  @Test
  void confiscation_blockWithABadlySignedTransaction_isProvenByHeaderTransactionAndProof() {
    TrustStake p = protocol(0);
    KeyPair cheat = keys.get(1);
    chain.append(p, chain.inTurn(p, keys), List.of(chain.burn(cheat, 1, 5_000)), 1_000);
    while (!chain.inTurn(p, keys).equals(cheat)) {
      chain.append(p, chain.inTurn(p, keys), List.of(), 1_000);
    }
    // The cheat seals a block holding a transfer whose signature is forged: every node rejects
    // it, and any node can prove it with the header, that transaction and its inclusion proof.
    Transaction good = chain.tx(keys.get(5), 5, new Payload.Transfer(addr(6), 10));
    Transaction forged = Transaction.of(good.body(), Signature.of(new byte[Signature.LENGTH]));
    Block bad = chain.unsealed(cheat.address(), List.of(good, forged), 1_000);
    bad = bad.withSeal(p.seal(chain, bad.header(), cheat));
    assertThat(p.verifySeal(chain, bad.header(), chain.head(), null))
        .as("the seal itself is fine: only the contents are invalid")
        .isEmpty();

    TrustStake reporter = protocol(0);
    Block honest = chain.unsealed(addr(0), List.of(good), 1_000);
    assertThatThrownBy(() -> reporter.reportInvalidTransaction(honest))
        .isInstanceOf(IllegalArgumentException.class);
    EngineListener listener = reporter.evidenceReporter();
    listener.onRejected(
        new EngineListener.Rejection(
            bad, "peer", "bad signature", EngineListener.Rejection.Kind.INVALID));
    KeyPair next = null;
    for (KeyPair k : keys) {
      if (!k.equals(cheat)
          && p.eligibility(chain, chain.head(), k.address()) instanceof Eligibility.Eligible e) {
        next = k;
        if (e.inTurn()) {
          break;
        }
      }
    }
    Block b = chain.append(reporter, next, List.of(), 5_000);
    assertThat(b.header().seal().length).as("the seal carries the evidence").isGreaterThan(300);
    TrustStake.Snapshot s = p.snapshot(chain, chain.head());
    assertThat(s.confiscated()).containsExactly(cheat.address());
    assertThat(s.depositsMicro()).containsEntry(cheat.address(), 0L);
  }

  @Test
  void verifySeal_rejectsAForgedOrForeignSeal() {
    TrustStake p = protocol(0);
    KeyPair k = chain.inTurn(p, keys);
    Block u = chain.unsealed(k.address(), List.of(), 1_000);
    byte[] seal = p.seal(chain, u.header(), k);
    byte[] tampered = seal.clone();
    tampered[tampered.length - 1] ^= 1;
    assertThat(p.verifySeal(chain, u.withSeal(tampered).header(), chain.head(), null)).isPresent();
    assertThat(p.verifySeal(chain, u.withSeal(new byte[3]).header(), chain.head(), null))
        .isPresent();
    KeyPair outsider = keys.get(9);
    assertThatThrownBy(
            () ->
                p.seal(
                    chain, chain.unsealed(outsider.address(), List.of(), 1_000).header(), outsider))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not in the committee");
    assertThat(p.verifySeal(chain, u.withSeal(seal).header(), chain.head(), null)).isEmpty();
  }

  /**
   * Selection against an oracle that counts, for every qualifying candidate outside the current
   * committee, how many rank strictly better: it is chosen iff fewer than the committee size do;
   * current members fill the rest the same way.
   */
  @Test
  void property_selection_matchesACountingOracle() {
    qt().withFixedSeed(4044)
        .withExamples(400)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random rnd = new Random(seed);
              int size = 1 + rnd.nextInt(6);
              long minDeposit = 1 + rnd.nextInt(50);
              double minTrust = rnd.nextInt(4) * 1.25;
              TrustStake p =
                  TrustStake.builder()
                      .initialValidators(List.of(addr(0)))
                      .committeeSize(size)
                      .minDepositMicro(minDeposit)
                      .minTrust(minTrust)
                      .build();
              int n = rnd.nextInt(25);
              List<TrustStake.Candidate> pool = new ArrayList<>();
              List<Address> current = new ArrayList<>();
              Set<Address> confiscated = new HashSet<>();
              for (int i = 0; i < n; i++) {
                Address a = randomAddress(rnd);
                pool.add(
                    new TrustStake.Candidate(
                        a, rnd.nextInt(6) * 20L, rnd.nextInt(6), rnd.nextInt(3) * 2.5));
                if (rnd.nextInt(3) == 0) {
                  current.add(a);
                }
                if (rnd.nextInt(8) == 0) {
                  confiscated.add(a);
                }
              }
              List<Address> got = p.selectCommittee(pool, current, confiscated);
              List<Address> outside =
                  oracle(pool, current, confiscated, minDeposit, minTrust, size, false);
              List<Address> inside =
                  oracle(
                      pool,
                      current,
                      confiscated,
                      minDeposit,
                      minTrust,
                      size - outside.size(),
                      true);
              Set<Address> expect = new HashSet<>(outside);
              expect.addAll(inside);
              if (expect.isEmpty()) {
                current.stream().filter(a -> !confiscated.contains(a)).forEach(expect::add);
              }
              assertThat(new HashSet<>(got)).isEqualTo(expect);
              assertThat(got).hasSize(expect.size()).doesNotHaveDuplicates();
              assertThat(got.size()).isLessThanOrEqualTo(Math.max(size, current.size()));
            });
  }

  private static List<Address> oracle(
      List<TrustStake.Candidate> pool,
      List<Address> current,
      Set<Address> confiscated,
      long minDeposit,
      double minTrust,
      int places,
      boolean fromCurrent) {
    List<TrustStake.Candidate> q = new ArrayList<>();
    for (TrustStake.Candidate c : pool) {
      if (c.depositMicro() >= minDeposit
          && c.trust() >= minTrust
          && !confiscated.contains(c.address())
          && current.contains(c.address()) == fromCurrent) {
        q.add(c);
      }
    }
    List<Address> out = new ArrayList<>();
    for (TrustStake.Candidate c : q) {
      int better = 0;
      for (TrustStake.Candidate d : q) {
        boolean b =
            d.depositMicro() > c.depositMicro()
                || (d.depositMicro() == c.depositMicro()
                    && (d.validatorTrust() > c.validatorTrust()
                        || (d.validatorTrust() == c.validatorTrust()
                            && d.address().compareTo(c.address()) < 0)));
        if (b) {
          better++;
        }
      }
      if (better < places) {
        out.add(c.address());
      }
    }
    return out;
  }

  private static Address randomAddress(Random rnd) {
    byte[] b = new byte[Address.LENGTH];
    rnd.nextBytes(b);
    return Address.ofBytes(b);
  }

  @Test
  void property_signingOrder_isAPermutation_andEachMemberFirstEquallyOften() {
    List<Address> committee = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      committee.add(addr(i));
    }
    int[] first = new int[10];
    int trials = 20_000;
    for (int t = 0; t < trials; t++) {
      Hash seed = Hash.sha256(ByteBuffer.allocate(8).putLong(t).array());
      List<Address> o = TrustStake.signingOrder(committee, seed);
      assertThat(new HashSet<>(o)).isEqualTo(new HashSet<>(committee));
      assertThat(o).hasSize(10);
      first[committee.indexOf(o.get(0))]++;
    }
    // Chi-square with 9 degrees of freedom; 27.88 is the 0.999 quantile.
    double expected = trials / 10.0;
    double chi2 = 0;
    for (int c : first) {
      chi2 += (c - expected) * (c - expected) / expected;
    }
    assertThat(chi2).isLessThan(27.88);
    List<Address> reversed = new ArrayList<>(committee);
    java.util.Collections.reverse(reversed);
    assertThat(TrustStake.signingOrder(committee, Hash.ZERO))
        .isEqualTo(TrustStake.signingOrder(reversed, Hash.ZERO));
  }
}
