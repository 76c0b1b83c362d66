package org.gridtrade.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.gridtrade.consensus.trust.TrustIndex;
import org.gridtrade.consensus.trust.TrustParameters;
import org.gridtrade.consensus.trust.TrustScores;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.junit.jupiter.api.Test;

/** The trust formulas (Alg. 1–4) and the {@link TrustIndex} folded from blocks. */
class TrustIndexTest {
  private static final long HOUR = 3_600_000L;

  @Test
  void xi_anchors_symmetryAndBounds() {
    assertThat(TrustScores.xi(0)).isEqualTo(2.5);
    assertThat(TrustScores.xi(2)).isCloseTo(3.6552928931500244, within(1e-12));
    for (double x : new double[] {0.1, 1, 3.7, 20}) {
      assertThat(TrustScores.xi(x) + TrustScores.xi(-x)).isCloseTo(5, within(1e-12));
      assertThat(TrustScores.xi(x)).isGreaterThan(TrustScores.xi(x / 2)).isLessThan(5);
    }
    assertThrows(IllegalArgumentException.class, () -> TrustScores.xi(Double.NaN));
  }

  @Test
  void traderTrust_isTheMeanOfTheTransactionTrusts_andRejectsBadInput() {
    double[] temps = {
      TrustScores.transactionTrust(5, 0, 0), // (5 + 2.5 + 2.5) / 3
      TrustScores.transactionTrust(1, 2, 10),
      TrustScores.transactionTrust(3, 40, 1000)
    };
    assertThat(temps[0]).isCloseTo(10.0 / 3, within(1e-12));
    double t = 0;
    for (int n = 0; n < temps.length; n++) {
      int rating = new int[] {5, 1, 3}[n];
      double beta = new double[] {0, 2, 40}[n];
      double gamma = new double[] {0, 10, 1000}[n];
      t = TrustScores.traderTrust(t, n, rating, beta, gamma);
    }
    assertThat(t).isCloseTo((temps[0] + temps[1] + temps[2]) / 3, within(1e-12));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TrustScores.traderTrust(0, 0, 6, 0, 0));
    assertThat(e.getMessage()).contains("rating 6");
    assertThrows(IllegalArgumentException.class, () -> TrustScores.traderTrust(5.5, 0, 3, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> TrustScores.traderTrust(3, 0, 3, -1, 0));
  }

  @Test
  void platformTrust_alg2() {
    // (2 · 4 + (3 + 5) / 2) / 3 = 4
    assertThat(TrustScores.platformTrust(4, 2, 3, 5)).isEqualTo(4.0);
    assertThat(TrustScores.platformTrust(0, 0, 1, 2)).isEqualTo(1.5);
    assertThrows(IllegalArgumentException.class, () -> TrustScores.platformTrust(4, 2, 6, 5));
  }

  @Test
  void blockTrustCoins_alg3_andValidatorTrust_alg4() {
    // λ = 0.5·4 + 1·2 = 4; θ = 3 → ω = 1/(1 + e^−1.5); ρ = 5 + 4 + ω + 1
    double rho =
        TrustScores.blockTrustCoins(
            List.of(new TrustScores.BlockTrade(0.5, 4, 3), new TrustScores.BlockTrade(1, 2, -0.0)),
            1);
    assertThat(rho).isCloseTo(5 + 4 + 1 / (1 + Math.exp(-1.5)) + 1, within(1e-12));
    // β = 0, TC = 0, |TL| = 0: avg = 2.5; others 5 and 3: (2.5·5/5 + 2.5·3/5)/2 = 2
    assertThat(TrustScores.validatorBlockTrust(0, 0, 0, new double[] {5, 3})).isEqualTo(2.0);
    assertThat(TrustScores.validatorBlockTrust(0, 0, 0, new double[0])).isEqualTo(2.5);
    assertThat(TrustScores.validatorTrust(3, 3, 1)).isEqualTo(2.5);
  }

  @Test
  void trp_thresholds() {
    assertThat(TrustScores.trp(0)).isEqualTo(1);
    assertThat(TrustScores.trp(Math.nextDown(TrustScores.TRP2_MIN))).isEqualTo(1);
    assertThat(TrustScores.trp(TrustScores.TRP2_MIN)).isEqualTo(2);
    assertThat(TrustScores.trp(Math.nextDown(TrustScores.TRP3_MIN))).isEqualTo(2);
    assertThat(TrustScores.trp(TrustScores.TRP3_MIN)).isEqualTo(3);
    assertThat(TrustScores.trp(Math.nextDown(TrustScores.TRP4_MIN))).isEqualTo(3);
    assertThat(TrustScores.trp(TrustScores.TRP4_MIN)).isEqualTo(4);
    assertThat(TrustScores.trp(5)).isEqualTo(4);
    // The documented consequences: always rated 1 never reaches TRP 3; always 5 reaches TRP 4.
    assertThat(TrustScores.trp(TrustScores.transactionTrust(1, 1e9, 1e9))).isEqualTo(2);
    assertThat(TrustScores.trp(TrustScores.transactionTrust(5, 2, 1e9))).isEqualTo(4);
    assertThat(TrustScores.trp(TrustScores.transactionTrust(5, 0, 1e9))).isEqualTo(3);
  }

  /** A rating event the oracle replays: who was rated, when, with what. */
  private record Event(Address ratee, long time, int score, long tradedBefore, long registered) {}

  @Test
  void property_incrementalFold_equalsReplay_equalsMeanOfRatingTrusts() {
    List<KeyPair> keys = Fixtures.keys(300, 8);
    TrustParameters params = new TrustParameters(6 * HOUR, 250_000, 3);
    qt().withFixedSeed(4004)
        .withExamples(60)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random rnd = new Random(seed);
              History h = history(rnd, keys, 10 + rnd.nextInt(30));
              TrustIndex replay = TrustIndex.replay(params, h.blocks);
              // Incremental, with snapshots at random points continued independently.
              TrustIndex inc = new TrustIndex(params);
              List<TrustIndex> forks = new ArrayList<>();
              for (Block b : h.blocks) {
                inc.fold(b);
                for (TrustIndex f : forks) {
                  f.fold(b);
                }
                if (rnd.nextInt(5) == 0) {
                  forks.add(inc.copy());
                }
              }
              assertThat(inc.traders()).isEqualTo(replay.traders());
              for (TrustIndex f : forks) {
                assertThat(f.traders()).isEqualTo(replay.traders());
              }
              // Oracle: each trader's trust is the plain mean of its rating trusts.
              Map<Address, List<Double>> temps = new HashMap<>();
              for (Event e : h.events) {
                double beta = (e.time - e.registered) / (double) params.betaUnitMillis();
                double gamma = e.tradedBefore / (double) params.coinUnitMicro();
                double temp =
                    (e.score + 5 / (1 + Math.exp(-0.5 * beta)) + 5 / (1 + Math.exp(-0.5 * gamma)))
                        / 3;
                temps.computeIfAbsent(e.ratee, k -> new ArrayList<>()).add(temp);
              }
              for (KeyPair k : keys) {
                List<Double> ts = temps.getOrDefault(k.address(), List.of());
                double mean = ts.stream().mapToDouble(Double::doubleValue).average().orElse(0);
                assertThat(replay.trust(k.address())).isCloseTo(mean, within(1e-9));
                if (replay.trader(k.address()) != null) {
                  assertThat(replay.trader(k.address()).ratings()).isEqualTo(ts.size());
                }
              }
            });
  }

  private record History(List<Block> blocks, List<Event> events) {}

  /**
   * Random valid history: trades between random pairs, and ratings of trades from earlier blocks by
   * a party that has not rated them yet (what the ledger admits).
   */
  static History history(Random rnd, List<KeyPair> keys, int nBlocks) {
    List<Block> blocks = new ArrayList<>();
    List<Event> events = new ArrayList<>();
    Map<Address, Long> registered = new HashMap<>();
    Map<Address, Long> traded = new HashMap<>();
    Map<Address, Long> nonces = new HashMap<>();
    List<Hash> open = new ArrayList<>();
    Map<Hash, Address[]> parties = new HashMap<>();
    Set<String> rated = new HashSet<>();
    Hash prev = Hash.ZERO;
    long time = Fixtures.GENESIS_TIME;
    for (int height = 1; height <= nBlocks; height++) {
      time += rnd.nextInt(4) * HOUR + rnd.nextInt(1000);
      List<Transaction> txs = new ArrayList<>();
      List<Hash> newTrades = new ArrayList<>();
      int n = rnd.nextInt(8);
      for (int i = 0; i < n; i++) {
        if (rnd.nextBoolean() || open.isEmpty()) {
          KeyPair buyer = keys.get(rnd.nextInt(keys.size()));
          KeyPair seller = keys.get(rnd.nextInt(keys.size()));
          if (seller == buyer) {
            continue;
          }
          Payload.EnergyTrade t =
              new Payload.EnergyTrade(
                  seller.address(),
                  buyer.address(),
                  1 + rnd.nextInt(20_000),
                  rnd.nextInt(400_000),
                  "sim");
          Transaction tx = sign(buyer, nonces, t);
          registered.putIfAbsent(buyer.address(), time);
          registered.putIfAbsent(seller.address(), time);
          traded.merge(buyer.address(), t.paymentMicro(), Long::sum);
          traded.merge(seller.address(), t.paymentMicro(), Long::sum);
          txs.add(tx);
          newTrades.add(tx.id());
          parties.put(tx.id(), new Address[] {seller.address(), buyer.address()});
        } else {
          Hash id = open.get(rnd.nextInt(open.size()));
          Address[] p = parties.get(id);
          int side = rnd.nextInt(2);
          if (rated.contains(id + "/" + side)) {
            side = 1 - side;
          }
          if (rated.contains(id + "/" + side)) {
            continue;
          }
          rated.add(id + "/" + side);
          KeyPair rater = keyOf(keys, p[side]);
          int score = 1 + rnd.nextInt(5);
          txs.add(sign(rater, nonces, new Payload.Rating(id, score)));
          Address ratee = p[1 - side];
          events.add(
              new Event(ratee, time, score, traded.getOrDefault(ratee, 0L), registered.get(ratee)));
          if (rated.contains(id + "/" + (1 - side))) {
            open.remove(id);
          }
        }
      }
      Block b =
          new Block(
              new BlockHeader(
                  height,
                  prev,
                  Block.transactionsRoot(txs),
                  txs.size(),
                  Hash.ZERO,
                  time,
                  keys.get(0).address(),
                  new byte[0]),
              txs);
      blocks.add(b);
      prev = b.hash();
      open.addAll(newTrades);
    }
    return new History(blocks, events);
  }

  private static KeyPair keyOf(List<KeyPair> keys, Address a) {
    return keys.stream().filter(k -> k.address().equals(a)).findFirst().orElseThrow();
  }

  private static Transaction sign(KeyPair k, Map<Address, Long> nonces, Payload p) {
    long nonce = nonces.merge(k.address(), 1L, Long::sum) - 1;
    return new TransactionBody(Fixtures.CHAIN, k.publicKey(), nonce, 0, p).sign(k);
  }
}
