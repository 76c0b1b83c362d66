package org.gridtrade.market;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.PublicKey;
import org.gridtrade.ledger.Signature;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TxResult;
import org.gridtrade.ledger.spi.LedgerModule;
import org.junit.jupiter.api.Test;

/**
 * Deliveries settled by the seller's meter cluster inside the chain (Ahmad et al.'s cluster
 * attestation): a reading counts only with the cluster's threshold of valid signatures over the
 * seller's export for the market's interval; one reading closes the interval for the seller across
 * all its asks; an authority can no longer report for a seller whose meters attest.
 */
class AttestedDeliveryTest {
  private static final long EACH = 10_000_000_000L;
  private static final Address ESCROW = LedgerModule.account(DoubleAuctionMarket.NAME);
  private static final long GATE = 4;
  private static final long DEADLINE = 10;
  private static final Instant START = Instant.ofEpochSecond(MarketChain.T0 / 1000);
  private static final Instant END = START.plusSeconds(6);
  private static final int USERS = 8;
  private static final int METERS = 3;
  private static final int THRESHOLD = 2;

  private static MarketSpec spec(ClearingRule rule, long penalty) {
    return new MarketSpec(rule, 500_000, GATE, START, END)
        .withDelivery(new DeliveryTerms(penalty, DEADLINE));
  }

  /** The meters of user {@code u}'s cluster. */
  private static List<KeyPair> meters(int u) {
    List<KeyPair> ks = new ArrayList<>();
    for (int i = 0; i < METERS; i++) {
      ks.add(
          KeyPair.fromSeed(
              Hash.sha256(
                      ("meter/" + u + "/" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                  .bytes()));
    }
    return ks;
  }

  private static AttestingMeters cluster(int u) {
    return new AttestingMeters(THRESHOLD, meters(u).stream().map(KeyPair::publicKey).toList());
  }

  /** Signatures of the given meters of user {@code u} over its reading, by index. */
  private static SortedMap<Integer, Signature> sign(
      int chain, Address seller, int u, long exportedWh, int... which) {
    byte[] m = MarketCalls.readingMessage(chain, seller, START, END, exportedWh);
    SortedMap<Integer, Signature> out = new TreeMap<>();
    for (int i : which) {
      out.put(i, meters(u).get(i).sign(m));
    }
    return out;
  }

  @Test
  void property_attestedReadings_closeTheIntervalOnceAcrossAsks_andConserveCoins() {
    qt().withFixedSeed(20261207L).withExamples(30).forAll(longs().all()).checkAssert(this::check);
  }

  private void check(long seed) {
    Random rnd = new Random(seed);
    long penaltyPrice = 10_000L * rnd.nextInt(30);
    try (MarketChain c = new MarketChain(USERS, EACH)) {
      Map<Address, Long> fees = new HashMap<>();
      // Users 1 to 4 have meter clusters; 5 to 7 are reported by the authority.
      List<Transaction> setup = new ArrayList<>();
      for (int m = 0; m < 2; m++) {
        setup.add(
            c.tx(
                c.operator(),
                MarketCalls.open(spec(ClearingRule.values()[rnd.nextInt(3)], penaltyPrice))));
      }
      for (int u = 1; u <= 4; u++) {
        setup.add(
            c.tx(c.operator(), MarketCalls.registerMeters(c.keys.get(u).address(), cluster(u))));
      }
      fees.merge(c.operator().address(), (long) setup.size(), Long::sum);
      assertThat(c.block(setup).skipped()).isEmpty();
      List<Transaction> txs = new ArrayList<>();
      for (int i = 0; i < 4 + rnd.nextInt(30); i++) {
        KeyPair k = c.keys.get(1 + rnd.nextInt(USERS - 1));
        long price = 50_000 + 5_000L * rnd.nextInt(20);
        long q = 1 + rnd.nextInt(4_000);
        int market = rnd.nextInt(2);
        txs.add(
            c.tx(
                k,
                rnd.nextBoolean()
                    ? MarketCalls.bid(market, price, q)
                    : MarketCalls.ask(market, price, q)));
        fees.merge(k.address(), 1L, Long::sum);
      }
      assertThat(c.block(txs).skipped()).isEmpty();
      c.advanceTo(GATE);
      List<List<MarketOrder>> orders =
          List.of(Markets.orders(c.state(), 0), Markets.orders(c.state(), 1));
      List<List<MarketTrade>> trades =
          List.of(Markets.trades(c.state(), 0), Markets.trades(c.state(), 1));
      c.advanceTo(6);

      // One reading per clustered seller (some never come); asks settle in report order.
      Map<Integer, Long> reading = new HashMap<>();
      for (int u = 1; u <= 4; u++) {
        if (rnd.nextInt(4) > 0) {
          reading.put(u, (long) rnd.nextInt(6_000));
        }
      }
      Map<Integer, Long> left = new HashMap<>(reading);
      Map<String, Long> delivered = new LinkedHashMap<>(); // "market/order" -> Wh
      List<Transaction> reports = new ArrayList<>();
      List<String> asks = new ArrayList<>();
      for (int m = 0; m < 2; m++) {
        for (MarketOrder o : orders.get(m)) {
          if (o.side() == Side.SELL && o.filledWh() > 0) {
            asks.add(m + "/" + o.id());
          }
        }
      }
      java.util.Collections.shuffle(asks, rnd);
      for (String a : asks) {
        int m = Integer.parseInt(a.substring(0, 1));
        MarketOrder o = orders.get(m).get(Integer.parseInt(a.substring(2)));
        int u = 0;
        while (!c.keys.get(u).address().equals(o.owner())) {
          u++;
        }
        if (u <= 4) {
          if (!reading.containsKey(u)) {
            continue;
          }
          int[] which =
              rnd.nextBoolean()
                  ? new int[] {0, 1, 2}
                  : rnd.nextBoolean() ? new int[] {0, 2} : new int[] {1, 2};
          reports.add(
              c.tx(
                  c.operator(),
                  MarketCalls.attestedDelivery(
                      m,
                      o.id(),
                      reading.get(u),
                      sign(MarketChain.CHAIN, o.owner(), u, reading.get(u), which))));
          long d = Math.min(left.get(u), o.filledWh());
          left.put(u, left.get(u) - d);
          delivered.put(a, d);
          fees.merge(c.operator().address(), 1L, Long::sum);
        } else if (rnd.nextInt(4) > 0) {
          long d = rnd.nextInt((int) o.filledWh() + 500);
          reports.add(c.tx(c.operator(), MarketCalls.reportDelivery(m, o.id(), d)));
          delivered.put(a, Math.min(d, o.filledWh()));
          fees.merge(c.operator().address(), 1L, Long::sum);
        }
      }
      assertThat(c.block(reports).skipped()).isEmpty();
      c.advanceTo(DEADLINE);

      // The model: each ask's delivered energy fills its trades in trade order.
      Map<Address, Long> delta = new HashMap<>();
      for (int m = 0; m < 2; m++) {
        Map<Integer, Long> ask = new HashMap<>();
        for (MarketOrder o : orders.get(m)) {
          if (o.side() == Side.SELL && o.filledWh() > 0) {
            ask.put(o.id(), delivered.getOrDefault(m + "/" + o.id(), 0L));
            Delivery d = Markets.delivery(c.state(), m, o.id()).orElseThrow();
            assertThat(d.deliveredWh()).as("ask %d/%d", m, o.id()).isEqualTo(ask.get(o.id()));
            assertThat(d.byDeadline()).isEqualTo(!delivered.containsKey(m + "/" + o.id()));
          }
        }
        long spread =
            DeliveryTest.settle(orders.get(m), trades.get(m), ask, penaltyPrice, delta).spread();
        delta.merge(c.operator().address(), spread, Long::sum);
      }
      long allFees = fees.values().stream().mapToLong(Long::longValue).sum();
      for (int u = 0; u < USERS; u++) {
        Address a = c.keys.get(u).address();
        long expected =
            EACH - fees.getOrDefault(a, 0L) + delta.getOrDefault(a, 0L) + (u == 0 ? allFees : 0);
        assertThat(c.state().account(a).balance()).as("user %d", u).isEqualTo(expected);
      }
      assertThat(c.state().account(ESCROW).balance()).isZero();
      assertThat(c.state().totalSupply()).isEqualTo(USERS * EACH);
      for (int u = 1; u <= 4; u++) {
        Address a = c.keys.get(u).address();
        assertThat(Markets.attestingMeters(c.state(), a)).hasValue(cluster(u));
        if (reading.containsKey(u)) {
          AttestedReading r = Markets.reading(c.state(), a, START, END).orElse(null);
          long used = reading.get(u) - left.get(u);
          if (r == null) {
            assertThat(used).as("no ask of user %d was reported", u).isZero();
          } else {
            assertThat(r.exportedWh()).isEqualTo(reading.get(u));
            assertThat(r.usedWh()).isEqualTo(used);
          }
        }
      }
    }
  }

  @Test
  void badReadingsAndRegistrations_areRefusedWithTheirRule_andChangeNothing() {
    try (MarketChain c = new MarketChain(USERS, EACH)) {
      KeyPair seller = c.keys.get(1);
      KeyPair other = c.keys.get(2);
      KeyPair buyer = c.keys.get(3);
      Address s = seller.address();
      c.block(
          List.of(
              c.tx(c.operator(), MarketCalls.open(spec(ClearingRule.UNIFORM_PRICE, 100_000))),
              c.tx(c.operator(), MarketCalls.registerMeters(s, cluster(1)))));
      c.block(
          List.of(
              c.tx(seller, MarketCalls.ask(0, 80_000, 2_000)),
              c.tx(other, MarketCalls.ask(0, 80_000, 1_000)),
              c.tx(buyer, MarketCalls.bid(0, 90_000, 3_000))));
      c.advanceTo(GATE);

      // Registration: only an authority, a valid cluster.
      assertThat(refusal(c, other, MarketCalls.registerMeters(other.address(), cluster(2))))
          .contains("only an authority of the chain may register");
      byte[] call = MarketCalls.registerMeters(other.address(), cluster(2)).data();
      call[MarketCalls.METERS_HEADER - 2] = 3; // threshold 3 of 3: fine
      assertThat(check(c, c.operator(), new Payload.Call(DoubleAuctionMarket.NAME, call)))
          .isEmpty();
      call[MarketCalls.METERS_HEADER - 2] = 4; // threshold above the meters
      assertThat(refusal(c, c.operator(), new Payload.Call(DoubleAuctionMarket.NAME, call)))
          .contains("threshold 4 must be in [1, 3]");
      call[MarketCalls.METERS_HEADER - 2] = 2;
      System.arraycopy(call, MarketCalls.METERS_HEADER, call, MarketCalls.METERS_HEADER + 32, 32);
      assertThat(refusal(c, c.operator(), new Payload.Call(DoubleAuctionMarket.NAME, call)))
          .contains("meters[1]")
          .contains("appears twice");
      byte[] notAKey = new byte[32];
      notAKey[0] = 2; // y = 2 has no x on the curve
      System.arraycopy(notAKey, 0, call, MarketCalls.METERS_HEADER + 32, 32);
      assertThat(PublicKey.of(notAKey).isValid()).isFalse();
      assertThat(refusal(c, c.operator(), new Payload.Call(DoubleAuctionMarket.NAME, call)))
          .contains("is not a valid Ed25519 key");
      assertThat(
              refusal(
                  c,
                  c.operator(),
                  new Payload.Call(
                      DoubleAuctionMarket.NAME, java.util.Arrays.copyOf(call, call.length - 1))))
          .contains("operation 7 takes");
      assertThatThrownBy(() -> new AttestingMeters(1, List.of()))
          .hasMessageContaining("meters has 0 keys");

      // Too early: the interval has not ended.
      assertThat(
              refusal(
                  c,
                  buyer,
                  MarketCalls.attestedDelivery(
                      0, 0, 2_000, sign(MarketChain.CHAIN, s, 1, 2_000, 0, 1))))
          .contains("delivery interval ends at");
      c.advanceTo(6);
      Hash before = c.state().root();
      // The authority no longer reports for a seller whose meters attest.
      assertThat(refusal(c, c.operator(), MarketCalls.reportDelivery(0, 0, 2_000)))
          .contains("deliveries are attested by its 3 meters (2 must sign)");
      // One signature of two needed.
      assertThat(
              refusal(
                  c,
                  buyer,
                  MarketCalls.attestedDelivery(
                      0, 0, 2_000, sign(MarketChain.CHAIN, s, 1, 2_000, 2))))
          .contains("carries 1 signatures; seller")
          .contains("needs 2 of its 3 meters");
      // Signed for another amount, another chain, or by meters of another cluster.
      SortedMap<Integer, Signature> other1500 = sign(MarketChain.CHAIN, s, 1, 1_500, 0, 1);
      assertThat(refusal(c, buyer, MarketCalls.attestedDelivery(0, 0, 2_000, other1500)))
          .contains("meter 0's signature does not verify over seller");
      assertThat(
              refusal(
                  c,
                  buyer,
                  MarketCalls.attestedDelivery(
                      0, 0, 2_000, sign(MarketChain.CHAIN + 1, s, 1, 2_000, 0, 1))))
          .contains("does not verify");
      assertThat(
              refusal(
                  c,
                  buyer,
                  MarketCalls.attestedDelivery(
                      0, 0, 2_000, sign(MarketChain.CHAIN, s, 5, 2_000, 0, 1))))
          .contains("does not verify");
      // The same meter twice, or one out of the cluster.
      byte[] twice =
          MarketCalls.attestedDelivery(0, 0, 2_000, sign(MarketChain.CHAIN, s, 1, 2_000, 0, 1))
              .data();
      twice[MarketCalls.ATTESTED_HEADER + MarketCalls.ATTESTATION] = 0;
      assertThat(refusal(c, buyer, new Payload.Call(DoubleAuctionMarket.NAME, twice)))
          .contains("names meter 0; meters must be named in increasing order, each once");
      assertThat(refusal(c, buyer, attestedWithIndex(s, 7)))
          .contains("the cluster has meters 0 to 2");
      // A seller without a cluster, and an ask that is not one.
      assertThat(
              refusal(
                  c,
                  buyer,
                  MarketCalls.attestedDelivery(
                      0, 1, 1_000, sign(MarketChain.CHAIN, other.address(), 2, 1_000, 0, 1))))
          .contains("has no registered meter cluster; an authority reports its deliveries");
      assertThat(
              refusal(
                  c,
                  buyer,
                  MarketCalls.attestedDelivery(
                      0, 2, 1_000, sign(MarketChain.CHAIN, s, 1, 1_000, 0, 1))))
          .contains("is not an ask that sold energy");
      // A block with every refused call keeps the state root of an empty block.
      List<Transaction> bad =
          List.of(
              c.tx(c.operator(), MarketCalls.reportDelivery(0, 0, 2_000)),
              c.tx(buyer, MarketCalls.attestedDelivery(0, 0, 2_000, other1500)));
      var p =
          c.ledger.propose(
              bad, c.operator().address(), MarketChain.T0 + (c.ledger.height() + 1) * 1_000L);
      assertThat(p.skipped()).hasSize(2);
      assertThat(p.block().transactions()).isEmpty();
      c.unuse(c.operator());
      c.unuse(buyer);
      assertThat(c.state().root()).isEqualTo(before);

      // Anyone may post a valid reading: 1,500 Wh of the 2,000 sold; settled once.
      c.block(List.of(c.tx(buyer, MarketCalls.attestedDelivery(0, 0, 1_500, other1500))));
      assertThat(Markets.delivery(c.state(), 0, 0).orElseThrow().deliveredWh()).isEqualTo(1_500);
      assertThat(Markets.reading(c.state(), s, START, END))
          .hasValue(new AttestedReading(s, START, END, 1_500, 1_500, 1_500));
      assertThat(refusal(c, buyer, MarketCalls.attestedDelivery(0, 0, 1_500, other1500)))
          .contains("settled already");
    }
  }

  private static Payload.Call attestedWithIndex(Address s, int index) {
    SortedMap<Integer, Signature> sigs = sign(MarketChain.CHAIN, s, 1, 2_000, 0, 1);
    SortedMap<Integer, Signature> moved = new TreeMap<>();
    moved.put(0, sigs.get(0));
    moved.put(index, sigs.get(1));
    return MarketCalls.attestedDelivery(0, 0, 2_000, moved);
  }

  private static java.util.Optional<String> check(MarketChain c, KeyPair k, Payload call) {
    TxResult r = c.state().check(c.tx(k, call), MarketChain.T0 + (c.ledger.height() + 1) * 1_000L);
    c.unuse(k);
    return r instanceof TxResult.Rejected x
        ? java.util.Optional.of(x.detail())
        : java.util.Optional.empty();
  }

  private static String refusal(MarketChain c, KeyPair k, Payload call) {
    java.util.Optional<String> r = check(c, k, call);
    assertThat(r).as("refused").isPresent();
    return r.get();
  }
}
