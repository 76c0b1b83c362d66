package org.gridtrade.ledger;

import static org.assertj.core.api.Assertions.assertThat;
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
import org.junit.jupiter.api.Test;

/** {@link Payload.Rating}: wire format, the ledger's rating rules, and the state root. */
class RatingTest {
  private static final long T0 = 1_700_000_000_000L;
  private final List<KeyPair> keys = TestKit.keys(6);
  private final Genesis genesis = TestKit.genesis(keys, 1_000_000_000);

  private Transaction tx(int from, long nonce, Payload p) {
    KeyPair k = keys.get(from);
    return new TransactionBody(TestKit.CHAIN, k.publicKey(), nonce, 1, p).sign(k);
  }

  private Address addr(int i) {
    return keys.get(i).address();
  }

  private static LedgerState applied(LedgerState s, List<Transaction> txs) {
    LedgerState.Outcome o = s.apply(txs, TestKit.key(0).address(), T0);
    assertThat(o).as("outcome %s", o).isInstanceOf(LedgerState.Outcome.Applied.class);
    return ((LedgerState.Outcome.Applied) o).state();
  }

  private static TxResult.Rejected rejected(LedgerState s, Transaction t) {
    TxResult r = s.check(t, T0);
    assertThat(r).as("%s", r).isInstanceOf(TxResult.Rejected.class);
    return (TxResult.Rejected) r;
  }

  private Transaction trade(int seller, int buyer, long nonce) {
    return tx(buyer, nonce, new Payload.EnergyTrade(addr(seller), addr(buyer), 1_000, 50_000, "m"));
  }

  @Test
  void codec_roundTrip_andOutOfRangeScoreIsADecodeError() throws DecodeException {
    Transaction t = tx(1, 0, new Payload.Rating(Hash.sha256(new byte[] {1}), 4));
    assertThat(Transaction.decode(t.encode())).isEqualTo(t);
    byte[] enc = t.encode();
    int scoreAt = Codec.PAYLOAD_TAG_OFFSET + 1 + Hash.LENGTH;
    assertThat(enc[scoreAt]).isEqualTo((byte) 4);
    for (int bad : new int[] {0, 6, 255}) {
      byte[] b = enc.clone();
      b[scoreAt] = (byte) bad;
      DecodeException e = assertThrows(DecodeException.class, () -> Transaction.decode(b));
      assertThat(e.getMessage()).contains("score " + bad);
    }
    assertThat(Codec.hasUnknownPayloadTag(enc)).isFalse();
    assertThrows(IllegalArgumentException.class, () -> new Payload.Rating(Hash.ZERO, 0));
    assertThrows(IllegalArgumentException.class, () -> new Payload.Rating(Hash.ZERO, 6));
  }

  @Test
  void rating_citingNoConfirmedTrade_rejected_stateUnchanged() {
    LedgerState s = genesis.state();
    Transaction transfer = tx(1, 0, new Payload.Transfer(addr(2), 10));
    s = applied(s, List.of(transfer));
    // A transfer is no trade, and a random id is nothing.
    for (Hash cited : List.of(transfer.id(), Hash.sha256(new byte[] {9}))) {
      TxResult.Rejected r = rejected(s, tx(2, 0, new Payload.Rating(cited, 5)));
      assertThat(r.reason()).isEqualTo(RejectReason.BAD_RATING);
      assertThat(r.detail()).contains(cited.toString()).contains("no confirmed energy trade");
    }
    // A trade in the same block is not yet confirmed.
    Transaction t = trade(2, 1, 1);
    LedgerState.Outcome o =
        s.apply(List.of(t, tx(2, 0, new Payload.Rating(t.id(), 5))), addr(0), T0);
    assertThat(o).isInstanceOf(LedgerState.Outcome.Rejected.class);
    assertThat(((LedgerState.Outcome.Rejected) o).rejection().detail()).contains("same block");
  }

  @Test
  void rating_byANonParty_rejected_noSelfRatingPath() {
    LedgerState s = genesis.state();
    Transaction t = trade(2, 1, 0);
    s = applied(s, List.of(t));
    Hash root = s.root();
    TxResult.Rejected r = rejected(s, tx(3, 0, new Payload.Rating(t.id(), 5)));
    assertThat(r.reason()).isEqualTo(RejectReason.BAD_RATING);
    assertThat(r.detail()).contains("only its seller");
    assertThat(s.root()).isEqualTo(root);
    assertThat(s.canRate(t.id(), addr(3))).isFalse();
    assertThat(s.canRate(t.id(), addr(1))).isTrue();
    assertThat(s.canRate(t.id(), addr(2))).isTrue();
  }

  @Test
  void rating_secondBySameParty_rejected_otherPartyStillMayRate() {
    LedgerState s = genesis.state();
    Transaction t = trade(2, 1, 0);
    s = applied(s, List.of(t));
    s = applied(s, List.of(tx(1, 1, new Payload.Rating(t.id(), 2))));
    assertThat(s.openTrades()).isEqualTo(1);
    TxResult.Rejected r = rejected(s, tx(1, 2, new Payload.Rating(t.id(), 5)));
    assertThat(r.reason()).isEqualTo(RejectReason.BAD_RATING);
    assertThat(r.detail()).contains("already rated");
    // Two ratings by one party in one block: the second is refused too.
    LedgerState fresh = applied(genesis.state(), List.of(t));
    LedgerState.Outcome o =
        fresh.apply(
            List.of(
                tx(2, 0, new Payload.Rating(t.id(), 5)), tx(2, 1, new Payload.Rating(t.id(), 5))),
            addr(0),
            T0);
    assertThat(o).isInstanceOf(LedgerState.Outcome.Rejected.class);
    assertThat(((LedgerState.Outcome.Rejected) o).index()).isEqualTo(1);
    // The seller rates: the trade is complete and leaves the index; a third rating cites nothing.
    s = applied(s, List.of(tx(2, 0, new Payload.Rating(t.id(), 4))));
    assertThat(s.openTrades()).isZero();
    assertThat(rejected(s, tx(2, 1, new Payload.Rating(t.id(), 4))).reason())
        .isEqualTo(RejectReason.BAD_RATING);
  }

  @Test
  void stateRoot_commitsToOpenTradesAndTheirRatings_asTheOracleComputes() {
    LedgerState s = applied(genesis.state(), List.of(tx(1, 0, new Payload.Transfer(addr(2), 5))));
    assertThat(s.root()).isEqualTo(StateOracle.root(s.accounts(), Map.of(), Set.of()));
    Transaction t = trade(2, 1, 1);
    LedgerState withTrade = applied(s, List.of(t));
    assertThat(withTrade.root())
        .isNotEqualTo(StateOracle.root(withTrade.accounts(), Map.of(), Set.of()))
        .isEqualTo(
            StateOracle.root(
                withTrade.accounts(),
                Map.of(t.id(), new StateOracle.OpenTrade(addr(2), addr(1), false, false)),
                Set.of()));
    // Same accounts, different rating flags: different roots.
    LedgerState a = applied(withTrade, List.of(tx(1, 2, new Payload.Rating(t.id(), 3))));
    LedgerState b = applied(withTrade, List.of(tx(2, 0, new Payload.Rating(t.id(), 3))));
    assertThat(a.root()).isNotEqualTo(b.root());
    assertThat(a.root())
        .isEqualTo(
            StateOracle.root(
                a.accounts(),
                Map.of(t.id(), new StateOracle.OpenTrade(addr(2), addr(1), false, true)),
                Set.of()));
    // Both rated: no open trade left.
    LedgerState done = applied(a, List.of(tx(2, 0, new Payload.Rating(t.id(), 3))));
    assertThat(done.root()).isEqualTo(StateOracle.root(done.accounts(), Map.of(), Set.of()));
  }

  /**
   * Random histories of trades and rating attempts: the ledger accepts a rating exactly when an
   * independent model (every trade ever confirmed, every rating ever accepted) says it is the first
   * rating of a trade from an earlier block by one of its parties.
   */
  @Test
  void property_ratingAcceptance_matchesAModelOfAllTradesAndRatings() {
    qt().withFixedSeed(404)
        .withExamples(40)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random rnd = new Random(seed);
              LedgerState s = genesis.state();
              Map<Hash, int[]> confirmed = new HashMap<>(); // id -> {seller, buyer}
              Set<String> rated = new HashSet<>();
              List<Hash> ids = new ArrayList<>();
              int accepted = 0;
              int refused = 0;
              for (int block = 0; block < 12; block++) {
                Map<Hash, int[]> newTrades = new HashMap<>();
                List<Transaction> txs = new ArrayList<>();
                Map<Integer, Long> nonces = new HashMap<>();
                LedgerState.Overlay o = new LedgerState.Overlay(s, Genesis.NO_PROPOSER, T0);
                Set<String> ratedHere = new HashSet<>();
                for (int i = 0; i < 6; i++) {
                  int from = 1 + rnd.nextInt(5);
                  long nonce = nonces.getOrDefault(from, s.account(addr(from)).nonce());
                  Transaction t;
                  boolean expect;
                  if (rnd.nextInt(3) == 0 || ids.isEmpty()) {
                    int other = 1 + (from + rnd.nextInt(4)) % 5;
                    t = trade(other, from, nonce);
                    newTrades.put(t.id(), new int[] {other, from});
                    expect = true;
                  } else {
                    Hash cited =
                        rnd.nextInt(8) == 0
                            ? Hash.sha256(TestKit.longBytes(rnd.nextLong()))
                            : ids.get(rnd.nextInt(ids.size()));
                    t = tx(from, nonce, new Payload.Rating(cited, 1 + rnd.nextInt(5)));
                    int[] p = confirmed.get(cited);
                    String key = cited + "/" + from;
                    expect =
                        p != null
                            && (p[0] == from || p[1] == from)
                            && !rated.contains(key)
                            && !ratedHere.contains(key);
                    if (expect) {
                      ratedHere.add(key);
                    }
                  }
                  boolean ok = o.apply(t) == null;
                  assertThat(ok)
                      .as("tx %d of block %d: %s", i, block, t.body().payload())
                      .isEqualTo(expect);
                  if (ok) {
                    txs.add(t);
                    nonces.put(from, nonce + 1);
                    if (t.body().payload() instanceof Payload.Rating) {
                      accepted++;
                    }
                  } else {
                    refused++;
                  }
                }
                s = applied(s, txs);
                confirmed.putAll(newTrades);
                ids.addAll(newTrades.keySet());
                rated.addAll(ratedHere);
                long open =
                    confirmed.keySet().stream()
                        .filter(
                            id ->
                                !rated.contains(id + "/" + confirmed.get(id)[0])
                                    || !rated.contains(id + "/" + confirmed.get(id)[1]))
                        .count();
                assertThat(s.openTrades()).isEqualTo((int) open);
              }
              assertThat(accepted + refused).isPositive();
            });
  }
}
