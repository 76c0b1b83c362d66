package org.gridtrade.market;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.gridtrade.consensus.trust.TrustIndex;
import org.gridtrade.consensus.trust.TrustParameters;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockResult;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Ledger;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.RejectReason;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TxResult;
import org.gridtrade.ledger.spi.LedgerModule;
import org.gridtrade.ledger.spi.RatingDecoder;
import org.junit.jupiter.api.Test;

/**
 * What the demand-response settlement refuses (each refusal names its rule and leaves the state
 * root as an empty block would), the request/token protocol of Aggarwal §4.4.3 as the module checks
 * it, a round that expires, and byzantine proposers whose blocks honest nodes refuse.
 */
class DrRulesTest {
  private static final int EVS = 2;
  private static final int SPS = 2;

  /** A chain at height 2 with round 0 open and escrowed by every EV; its market and certificate. */
  private record Setup(MarketChain c, DrTestMarkets.Market mk, DrTestMarkets.Cert cert) {}

  private static Setup setup(LedgerModule module, boolean escrowAll) {
    MarketChain c = new MarketChain(1 + EVS + SPS + 1, 1_000_000_000L, module);
    DrTestMarkets.Market mk = market(c);
    c.block(List.of(c.tx(c.operator(), DrCalls.open(mk.spec()))));
    List<Transaction> txs = new ArrayList<>();
    for (int i = 0; i < (escrowAll ? EVS : 1); i++) {
      txs.add(c.tx(ev(c, i), DrCalls.escrow(0)));
    }
    assertThat(c.block(txs).skipped()).isEmpty();
    return new Setup(c, mk, DrTestMarkets.certificate(mk));
  }

  /** The first seeded market from 42 on in which some EV buys from both SPs. */
  private static DrTestMarkets.Market market(MarketChain c) {
    for (long seed = 42; ; seed++) {
      DrTestMarkets.Market mk =
          DrTestMarkets.random(
              new Random(seed),
              List.of(c.keys.get(1).address(), c.keys.get(2).address()),
              List.of(c.keys.get(3).address(), c.keys.get(4).address()),
              4,
              8);
      long[][] x = DrTestMarkets.certificate(mk).x();
      if ((x[0][0] > 0 && x[0][1] > 0) || (x[1][0] > 0 && x[1][1] > 0)) {
        return mk;
      }
    }
  }

  private static KeyPair ev(MarketChain c, int i) {
    return c.keys.get(1 + i);
  }

  private static KeyPair sp(MarketChain c, int j) {
    return c.keys.get(1 + EVS + j);
  }

  private static long now(MarketChain c) {
    return MarketChain.T0 + (c.ledger.height() + 1) * 1_000L;
  }

  /** Checks that tx is refused naming words, that a block with it equals an empty one. */
  private static void assertRefused(MarketChain c, KeyPair k, Transaction tx, String... words) {
    LedgerState before = c.state();
    TxResult r = before.check(tx, now(c));
    assertThat(r).isInstanceOf(TxResult.Rejected.class);
    assertThat(((TxResult.Rejected) r).detail()).contains(words);
    Ledger.Proposal with = c.ledger.propose(List.of(tx), c.operator().address(), now(c));
    Ledger.Proposal without = c.ledger.propose(List.of(), c.operator().address(), now(c));
    assertThat(with.skipped()).hasSize(1);
    assertThat(with.block().header().stateRoot()).isEqualTo(without.block().header().stateRoot());
    c.unuse(k);
  }

  private static Transaction certify(MarketChain c, KeyPair k, DrTestMarkets.Cert cert) {
    return c.tx(k, DrCalls.certify(0, cert.x(), cert.u(), cert.alpha()));
  }

  @Test
  void badCalls_areRefusedWithTheirRule_andChangeNothing() {
    Setup s = setup(new DemandResponseMarket(), false);
    try (MarketChain c = s.c()) {
      KeyPair stranger = c.keys.get(5);
      assertRefused(c, stranger, c.tx(stranger, DrCalls.open(s.mk().spec())), "only an authority");
      DrRoundSpec spec = s.mk().spec();
      DrRoundSpec past =
          new DrRoundSpec(
              spec.etaPpm(),
              spec.rhoPpm(),
              spec.retailPriceMicroPerKWh(),
              spec.toleranceMicroPerKWh(),
              3,
              8,
              spec.evs(),
              spec.sps());
      assertRefused(
          c,
          c.operator(),
          c.tx(c.operator(), DrCalls.open(past)),
          "certifyByHeight 3 must be above the current height 3");
      assertRefused(
          c,
          stranger,
          c.tx(stranger, new Payload.Call(DemandResponseMarket.NAME, new byte[] {9})),
          "operation 9 is unknown");
      assertRefused(
          c,
          stranger,
          c.tx(stranger, new Payload.Call(DemandResponseMarket.NAME, new byte[] {1, 0, 0})),
          "operation 1",
          "at least");
      assertRefused(c, stranger, c.tx(stranger, DrCalls.escrow(0)), "is not an EV of round 0");
      assertRefused(c, ev(c, 0), c.tx(ev(c, 0), DrCalls.escrow(0)), "has already escrowed");
      assertRefused(c, ev(c, 1), c.tx(ev(c, 1), DrCalls.escrow(7)), "round 7 does not exist");
      assertRefused(
          c, c.operator(), certify(c, c.operator(), s.cert()), "EV 1", "has not escrowed");
      assertThat(c.block(List.of(c.tx(ev(c, 1), DrCalls.escrow(0)))).skipped()).isEmpty();
      assertRefused(c, stranger, certify(c, stranger, s.cert()), "only round 0's operator");
      DrTestMarkets.Cert over = s.cert().copy();
      over.x()[0][0] = DrTestMarkets.cap(s.mk().spec(), 0, 0) + 1;
      assertRefused(
          c, c.operator(), certify(c, c.operator(), over), "allocation[0][0]", "capacity");
      assertRefused(
          c,
          c.operator(),
          c.tx(
              c.operator(), DrCalls.certify(0, new long[][] {{1}}, new long[] {1}, new long[] {1})),
          "the certificate is for 1 EVs and 1 SPs; round 0 has 2 and 2");
    }
  }

  /**
   * {@link DrRoundSpec#fits} admits exactly the round sizes whose open and certify calls fit a
   * transaction's call data: the byte counts of the documented layouts (a 45-byte open header and
   * 52 bytes per party, a 13-byte certificate header and 8 bytes per number), which the built calls
   * are checked to have.
   */
  @Test
  void roundSize_fitsOneTransaction_andTheLimitIsTight() {
    int admitted = 0;
    for (int n = 1; n <= 40; n++) {
      for (int m = 1; m <= 40; m++) {
        int open = 45 + 52 * (n + m);
        int cert = 13 + 8 * (n * m + n + m);
        boolean fitsBytes =
            open <= Payload.Call.MAX_DATA_BYTES && cert <= Payload.Call.MAX_DATA_BYTES;
        assertThat(DrRoundSpec.fits(n, m)).as("%d EVs x %d SPs", n, m).isEqualTo(fitsBytes);
        if (!fitsBytes) {
          continue;
        }
        admitted++;
        List<DrRoundSpec.Ev> evs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          evs.add(new DrRoundSpec.Ev(addr(i), 100_000, 0, 10_000, 100_000));
        }
        List<DrRoundSpec.Sp> sps = new ArrayList<>();
        for (int j = 0; j < m; j++) {
          sps.add(new DrRoundSpec.Sp(addr(100 + j), 50_000, 100, 150, 50_000));
        }
        DrRoundSpec spec = new DrRoundSpec(800_000, 900_000, 0, 2_000, 5, 9, evs, sps);
        assertThat(DrCalls.open(spec).data()).hasSize(open);
        assertThat(DrCalls.certify(0, new long[n][m], new long[n], new long[m]).data())
            .hasSize(cert);
      }
    }
    // 20 EVs x 5 SPs (the demo's day) and 16 x 8 fit; 14 x 14 does not.
    assertThat(DrRoundSpec.fits(20, 5)).isTrue();
    assertThat(DrRoundSpec.fits(16, 8)).isTrue();
    assertThat(DrRoundSpec.fits(14, 14)).isFalse();
    assertThat(admitted).isGreaterThan(100);
  }

  private static org.gridtrade.ledger.Address addr(int i) {
    byte[] b = new byte[org.gridtrade.ledger.Address.LENGTH];
    b[0] = (byte) (i + 1);
    b[1] = (byte) (i >> 8);
    return org.gridtrade.ledger.Address.ofBytes(b);
  }

  @Test
  void escrow_thatTheEvCannotAfford_isInsufficientFunds() {
    MarketChain c = new MarketChain(1 + EVS + SPS + 1, 1_000, new DemandResponseMarket());
    try (c) {
      DrTestMarkets.Market mk = market(c);
      c.block(List.of(c.tx(c.operator(), DrCalls.open(mk.spec()))));
      Transaction tx = c.tx(ev(c, 0), DrCalls.escrow(0));
      TxResult r = c.state().check(tx, now(c));
      assertThat(((TxResult.Rejected) r).reason()).isEqualTo(RejectReason.INSUFFICIENT_FUNDS);
      c.unuse(ev(c, 0));
    }
  }

  @Test
  void settlement_checksTheRequestAndTokenOfAggarwalSection443() {
    Setup s = setup(new DemandResponseMarket(), true);
    try (MarketChain c = s.c()) {
      assertThat(c.block(List.of(certify(c, c.operator(), s.cert()))).skipped()).isEmpty();
      DrRound.Certificate cert =
          DemandResponseMarket.round(c.state(), 0).orElseThrow().certificate().orElseThrow();
      // an EV with two cells that pay, so its pre_record chain can be followed
      int i = -1;
      for (int e = 0; e < EVS && i < 0; e++) {
        if (cert.cellPaymentsMicro().get(e).stream().allMatch(v -> v > 0)) {
          i = e;
        }
      }
      assertThat(i).as("an EV that buys from both SPs").isNotNegative();
      long t = now(c);
      Payload.DemandResponseSettlement first =
          DemandResponseMarket.settlement(
              c.state(), MarketChain.CHAIN, 0, i, 0, t + 60_000, t - 1, sp(c, 0), ev(c, i));
      assertThat(first.token().preRecord())
          .isNotEqualTo(Hash.ZERO)
          .isNotEqualTo(c.state().account(ev(c, i).address()).lastPayment());

      // the token, replayed through the ledger's own demand-response payload, is refused there
      Transaction viaLedger = c.tx(sp(c, 0), first);
      TxResult r = c.state().check(viaLedger, t);
      assertThat(((TxResult.Rejected) r).detail()).contains("preRecord");
      c.unuse(sp(c, 0));
      // a token made for that payload (pre_record = the EV's last payment) is refused here
      Payload.DemandResponseSettlement forLedger =
          Payload.DemandResponseSettlement.sign(
              MarketChain.CHAIN,
              first.request(),
              new Payload.DemandResponseSettlement.Token(
                  first.token().credit(), t + 60_000, Hash.ZERO, t - 1),
              first.energyWh(),
              first.paymentMicro(),
              sp(c, 0),
              ev(c, i));
      assertRefused(c, sp(c, 0), c.tx(sp(c, 0), DrCalls.settle(0, 0, forLedger)), "pre_record");
      // only the cell's SP may send it
      assertRefused(c, sp(c, 1), c.tx(sp(c, 1), DrCalls.settle(0, 0, first)), "is not that SP");
      // the payment must be the certified one, countersigned by the EV
      Payload.DemandResponseSettlement cheaper =
          Payload.DemandResponseSettlement.sign(
              MarketChain.CHAIN,
              first.request(),
              first.token(),
              first.energyWh(),
              first.paymentMicro() - 1,
              sp(c, 0),
              ev(c, i));
      assertRefused(
          c, sp(c, 0), c.tx(sp(c, 0), DrCalls.settle(0, 0, cheaper)), "paymentMicro", "certified");
      // a countersignature by another key than the EV's does not verify
      Payload.DemandResponseSettlement forged =
          new Payload.DemandResponseSettlement(
              first.request(),
              first.token(),
              first.energyWh(),
              first.paymentMicro(),
              first.ev(),
              first.tokenSignature(),
              c.keys.get(5).sign(first.drMessage(MarketChain.CHAIN, sp(c, 0).address())));
      assertRefused(
          c, sp(c, 0), c.tx(sp(c, 0), DrCalls.settle(0, 0, forged)), "evCountersignature");
      // an expired token
      Payload.DemandResponseSettlement late =
          DemandResponseMarket.settlement(
              c.state(), MarketChain.CHAIN, 0, i, 0, t - 1, t - 2, sp(c, 0), ev(c, i));
      assertRefused(c, sp(c, 0), c.tx(sp(c, 0), DrCalls.settle(0, 0, late)), "the token is valid");

      long spBefore = c.state().account(sp(c, 0).address()).balance();
      Transaction ok = c.tx(sp(c, 0), DrCalls.settle(0, 0, first));
      assertThat(c.block(List.of(ok)).skipped()).isEmpty();
      assertThat(c.state().account(sp(c, 0).address()).balance())
          .isEqualTo(spBefore + first.paymentMicro() - MarketChain.FEE);
      assertThat(DemandResponseMarket.preRecord(c.state(), 0, i)).hasValue(ok.id());
      // replayed: the cell is settled
      assertRefused(c, sp(c, 0), c.tx(sp(c, 0), DrCalls.settle(0, 0, first)), "already settled");
      // the EV's next token must name the settlement just made, not the old pre_record
      t = now(c);
      Payload.DemandResponseSettlement stale =
          Payload.DemandResponseSettlement.sign(
              MarketChain.CHAIN,
              first.request(),
              new Payload.DemandResponseSettlement.Token(
                  first.token().credit(), t + 60_000, first.token().preRecord(), t - 1),
              cert.allocationWh().get(i).get(1),
              cert.cellPaymentsMicro().get(i).get(1),
              sp(c, 1),
              ev(c, i));
      assertRefused(c, sp(c, 1), c.tx(sp(c, 1), DrCalls.settle(0, 1, stale)), "pre_record");
      Payload.DemandResponseSettlement second =
          DemandResponseMarket.settlement(
              c.state(), MarketChain.CHAIN, 0, i, 1, t + 60_000, t - 1, sp(c, 1), ev(c, i));
      assertThat(c.block(List.of(c.tx(sp(c, 1), DrCalls.settle(0, 1, second)))).skipped())
          .isEmpty();
    }
  }

  @Test
  void ratings_onlyForCellsTheEvsTokenSettled_byThatEv_once_andFoldIntoTrust() {
    Setup s = setup(new DemandResponseMarket(), true);
    try (MarketChain c = s.c()) {
      assertThat(c.block(List.of(certify(c, c.operator(), s.cert()))).skipped()).isEmpty();
      DrRound round = DemandResponseMarket.round(c.state(), 0).orElseThrow();
      DrRound.Certificate cert = round.certificate().orElseThrow();
      int i = cert.cellPaymentsMicro().get(0).stream().allMatch(v -> v > 0) ? 0 : 1;
      assertThat(cert.cellPaymentsMicro().get(i)).allMatch(v -> v > 0);
      // Before the SP settles the cell with the EV's token, no rating.
      assertRefused(c, ev(c, i), c.tx(ev(c, i), DrCalls.rate(round, i, 0, 5)), "is not settled");
      long t = now(c);
      Payload.DemandResponseSettlement token =
          DemandResponseMarket.settlement(
              c.state(), MarketChain.CHAIN, 0, i, 0, t + 60_000, t - 1, sp(c, 0), ev(c, i));
      Transaction settled = c.tx(sp(c, 0), DrCalls.settle(0, 0, token));
      assertThat(c.block(List.of(settled)).skipped()).isEmpty();
      // Only that EV rates, naming the cell's SP.
      assertRefused(
          c, ev(c, 1 - i), c.tx(ev(c, 1 - i), DrCalls.rate(round, i, 0, 5)), "is not that EV");
      assertRefused(c, sp(c, 0), c.tx(sp(c, 0), DrCalls.rate(round, i, 0, 5)), "is not that EV");
      byte[] d = DrCalls.rate(round, i, 0, 5).data();
      byte[] otherSp = d.clone();
      System.arraycopy(sp(c, 1).address().bytes(), 0, otherSp, 18, Address.LENGTH);
      assertRefused(
          c,
          ev(c, i),
          c.tx(ev(c, i), new Payload.Call(DemandResponseMarket.NAME, otherSp)),
          "is not SP 0 of round 0");
      Transaction rated = c.tx(ev(c, i), DrCalls.rate(round, i, 0, 4));
      assertThat(c.block(List.of(rated)).skipped()).isEmpty();
      assertThat(DemandResponseMarket.rating(c.state(), 0, i, 0)).hasValue(4);
      assertThat(DemandResponseMarket.rating(c.state(), 0, i, 1)).isEmpty();
      assertRefused(c, ev(c, i), c.tx(ev(c, i), DrCalls.rate(round, i, 0, 5)), "rated already");
      assertRefused(c, ev(c, i), c.tx(ev(c, i), DrCalls.rate(round, i, 1, 5)), "is not settled");
      // Trust read from the blocks with the module's decoder equals the ledger path's on the same
      // rating (the oracle of MarketTrustTest).
      List<Block> blocks = new ArrayList<>();
      for (long h = 0; h <= c.ledger.height(); h++) {
        blocks.add(c.ledger.block(h).orElseThrow());
      }
      RatingDecoder decoder = DemandResponseMarket.ratingDecoder();
      // The settlement is the trade (its coins counted when it happens), the rating rates its SP.
      assertThat(decoder.traded(settled))
          .hasValue(
              new RatingDecoder.Traded(ev(c, i).address(), cert.cellPaymentsMicro().get(i).get(0)));
      assertThat(decoder.decode(rated)).hasValue(new RatingDecoder.Rated(sp(c, 0).address(), 0, 4));
      assertThat(decoder.decode(settled)).isEmpty();
      TrustIndex read = TrustIndex.replay(TrustParameters.DEFAULT, List.of(decoder), blocks);
      TrustIndex oracle =
          TrustIndex.replay(TrustParameters.DEFAULT, MarketTrustTest.mirror(blocks, c, decoder));
      assertThat(read.trader(sp(c, 0).address()).ratings()).isEqualTo(1);
      assertThat(read.trader(sp(c, 0).address()).tradedMicro())
          .isEqualTo(cert.cellPaymentsMicro().get(i).get(0));
      assertThat(read.traders()).isEqualTo(oracle.traders());
      // The market's decoder does not read the module's calls, and the other way round.
      assertThat(Markets.ratingDecoder().decode(rated)).isEmpty();
    }
  }

  @Test
  void roundLargerThanOneCall_isOpenedAndCertifiedInParts_andPaysByTheIndependentRecomputation() {
    int n = 30;
    int m = 8;
    assertThat(DrRoundSpec.fits(n, m)).isFalse();
    try (MarketChain c =
        new MarketChain(1 + n + m + 1, 1_000_000_000_000L, new DemandResponseMarket())) {
      List<Address> evs = c.keys.subList(1, 1 + n).stream().map(KeyPair::address).toList();
      List<Address> sps = c.keys.subList(1 + n, 1 + n + m).stream().map(KeyPair::address).toList();
      DrTestMarkets.Market mk = DrTestMarkets.random(new Random(7), evs, sps, 12, 20);
      assertThatThrownBy(() -> DrCalls.open(mk.spec())).hasMessageContaining("openInParts");
      List<Payload.Call> opens = DrCalls.openInParts(mk.spec());
      assertThat(opens).hasSizeGreaterThan(1);
      // A part at another offset than what was posted, and a part by a non-authority, are refused.
      KeyPair stranger = c.keys.get(1 + n + m);
      assertRefused(c, stranger, c.tx(stranger, opens.get(0)), "only an authority");
      assertRefused(c, c.operator(), c.tx(c.operator(), opens.get(1)), "must be 0 (a new round)");
      List<Transaction> txs = new ArrayList<>();
      for (Payload.Call call : opens.subList(0, opens.size() - 1)) {
        txs.add(c.tx(c.operator(), call));
      }
      assertThat(c.block(txs).skipped()).isEmpty();
      assertThat(DemandResponseMarket.count(c.state()))
          .as("not open before its last part")
          .isZero();
      assertThat(c.block(List.of(c.tx(c.operator(), opens.get(opens.size() - 1)))).skipped())
          .isEmpty();
      DrRound open = DemandResponseMarket.round(c.state(), 0).orElseThrow();
      assertThat(open.spec()).isEqualTo(mk.spec());
      assertThat(open.status()).isEqualTo(DrRound.Status.OPEN);
      List<Transaction> escrows = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        escrows.add(c.tx(c.keys.get(1 + i), DrCalls.escrow(0)));
      }
      assertThat(c.block(escrows).skipped()).isEmpty();
      DrTestMarkets.Cert cert = DrTestMarkets.certificate(mk);
      List<Payload.Call> parts = DrCalls.certifyInParts(0, cert.x(), cert.u(), cert.alpha());
      assertThat(parts).hasSizeGreaterThan(1);
      assertRefused(c, c.operator(), c.tx(c.operator(), parts.get(1)), "must be 0 (start over)");
      List<Transaction> certs = new ArrayList<>();
      for (Payload.Call call : parts.subList(0, parts.size() - 1)) {
        certs.add(c.tx(c.operator(), call));
      }
      assertThat(c.block(certs).skipped()).isEmpty();
      assertThat(DemandResponseMarket.round(c.state(), 0).orElseThrow().status())
          .isEqualTo(DrRound.Status.OPEN);
      var last = c.block(List.of(c.tx(c.operator(), parts.get(parts.size() - 1))));
      assertThat(last.skipped()).as("%s", last.skipped()).isEmpty();
      DrRound.Certificate got =
          DemandResponseMarket.round(c.state(), 0).orElseThrow().certificate().orElseThrow();
      DrTestMarkets.Expected want = DrTestMarkets.payments(mk.spec(), cert.x());
      for (int i = 0; i < n; i++) {
        assertThat(got.evPaymentsMicro().get(i)).as("EV %d", i).isEqualTo(want.ev()[i]);
        for (int j = 0; j < m; j++) {
          assertThat(got.allocationWh().get(i).get(j)).isEqualTo(cert.x()[i][j]);
          assertThat(got.cellPaymentsMicro().get(i).get(j)).isEqualTo(want.cell()[i][j]);
        }
      }
      // A certificate off by more than the tolerance is refused in its last part, as in one call.
      assertRefused(c, c.operator(), c.tx(c.operator(), parts.get(0)), "may be certified once");
    }
  }

  @Test
  void certificateInParts_offByMoreThanTheTolerance_isRefusedAtItsLastPart() {
    int n = 30;
    int m = 8;
    try (MarketChain c =
        new MarketChain(1 + n + m, 1_000_000_000_000L, new DemandResponseMarket())) {
      List<Address> evs = c.keys.subList(1, 1 + n).stream().map(KeyPair::address).toList();
      List<Address> sps = c.keys.subList(1 + n, 1 + n + m).stream().map(KeyPair::address).toList();
      DrTestMarkets.Market mk = DrTestMarkets.random(new Random(11), evs, sps, 12, 20);
      List<Transaction> txs = new ArrayList<>();
      DrCalls.openInParts(mk.spec()).forEach(call -> txs.add(c.tx(c.operator(), call)));
      for (int i = 0; i < n; i++) {
        txs.add(c.tx(c.keys.get(1 + i), DrCalls.escrow(0)));
      }
      assertThat(c.block(txs).skipped()).isEmpty();
      DrTestMarkets.Cert cert = DrTestMarkets.certificate(mk).copy();
      long[] u = cert.u();
      u[0] += 10 * DrTestMarkets.TOLERANCE; // EV 0's price far off its marginal value
      List<Payload.Call> parts = DrCalls.certifyInParts(0, cert.x(), u, cert.alpha());
      List<Transaction> certs = new ArrayList<>();
      parts.subList(0, parts.size() - 1).forEach(call -> certs.add(c.tx(c.operator(), call)));
      assertThat(c.block(certs).skipped()).isEmpty();
      Transaction last = c.tx(c.operator(), parts.get(parts.size() - 1));
      LedgerState before = c.state();
      TxResult r = before.check(last, now(c));
      assertThat(r).isInstanceOf(TxResult.Rejected.class);
      assertThat(((TxResult.Rejected) r).detail()).contains("EV 0").contains("tolerance");
      c.unuse(c.operator());
      assertThat(DemandResponseMarket.round(c.state(), 0).orElseThrow().status())
          .isEqualTo(DrRound.Status.OPEN);
    }
  }

  @Test
  void round_notCertifiedByItsHeight_expiresAndReturnsEveryEscrow() {
    Setup s = setup(new DemandResponseMarket(), true);
    try (MarketChain c = s.c()) {
      long supply = c.state().totalSupply();
      c.advanceTo(4);
      DrRound r = DemandResponseMarket.round(c.state(), 0).orElseThrow();
      assertThat(r.status()).isEqualTo(DrRound.Status.EXPIRED);
      assertThat(r.escrowMicro()).containsOnly(0L);
      for (int i = 0; i < EVS; i++) {
        assertThat(c.state().account(ev(c, i).address()).balance())
            .isEqualTo(1_000_000_000L - MarketChain.FEE);
      }
      assertThat(c.state().account(LedgerModule.account(DemandResponseMarket.NAME)).balance())
          .isZero();
      assertThat(c.state().totalSupply()).isEqualTo(supply);
      assertRefused(c, c.operator(), certify(c, c.operator(), s.cert()), "is EXPIRED");
    }
  }

  /**
   * Two byzantine proposers: one whose module takes a certificate off by more than the tolerance,
   * one whose module pays its proposer out of the escrow after an honest certificate. Each builds
   * the block; the honest node refuses it, keeps its state root, and goes on with the honest
   * settlement.
   */
  @Test
  void byzantineProposer_thatAltersTheCertificateOrThePayments_isRefusedByAnHonestNode() {
    for (DoctoredDrMarket.Fault fault : DoctoredDrMarket.Fault.values()) {
      Setup honest = setup(new DemandResponseMarket(), true);
      Setup byz = setup(new DoctoredDrMarket(fault), true);
      try (MarketChain h = honest.c();
          MarketChain b = byz.c()) {
        assertThat(b.state().root()).isEqualTo(h.state().root());
        DrTestMarkets.Cert cert = honest.cert().copy();
        if (fault == DoctoredDrMarket.Fault.ACCEPT_ANY) {
          cert.u()[0] -= 2 * DrTestMarkets.TOLERANCE + 1_000; // the EV's price, off by > 2ε
        }
        Transaction tx = certify(b, b.operator(), cert);
        Ledger.Proposal forged = b.ledger.propose(List.of(tx), b.operator().address(), now(b));
        assertThat(forged.skipped()).isEmpty();
        Hash before = h.state().root();
        BlockResult r = h.ledger.append(forged.block());
        assertThat(r).as("%s", fault).isInstanceOf(BlockResult.Rejected.class);
        // the honest node names the refused certificate, or the state root the skim changed
        assertThat(((BlockResult.Rejected) r).reason())
            .contains(
                fault == DoctoredDrMarket.Fault.ACCEPT_ANY
                    ? "round 0's certificate: evPrices[0]"
                    : "of the state after its transactions");
        assertThat(h.ledger.height()).isEqualTo(2);
        assertThat(h.state().root()).isEqualTo(before);
        assertThat(DemandResponseMarket.round(h.state(), 0).orElseThrow().status())
            .isEqualTo(DrRound.Status.OPEN);
        // the honest node certifies the honest certificate itself
        Ledger.Proposal p = h.block(List.of(certify(h, h.operator(), honest.cert())));
        assertThat(p.skipped()).isEmpty();
      }
    }
  }

  @Test
  void doctoredModule_withHonestPayments_isAcceptedByTheHonestNode() {
    // the control for the test above: without its fault the byzantine node's block is accepted
    Setup honest = setup(new DemandResponseMarket(), true);
    Setup other = setup(new DemandResponseMarket(), true);
    try (MarketChain h = honest.c();
        MarketChain b = other.c()) {
      Transaction tx = certify(b, b.operator(), other.cert());
      Ledger.Proposal p = b.ledger.propose(List.of(tx), b.operator().address(), now(b));
      assertThat(h.ledger.append(p.block())).isInstanceOf(BlockResult.Appended.class);
      assertThat(ByteBuffer.wrap(h.state().root().bytes()))
          .isEqualTo(ByteBuffer.wrap(p.block().header().stateRoot().bytes()));
    }
  }
}
