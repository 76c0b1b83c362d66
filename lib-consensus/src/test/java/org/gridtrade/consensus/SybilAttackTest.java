package org.gridtrade.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.gridtrade.consensus.trust.TrustIndex;
import org.gridtrade.consensus.trust.TrustParameters;
import org.gridtrade.consensus.trust.TrustScores;
import org.gridtrade.consensus.trust.TrustStake;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.RejectReason;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.gridtrade.ledger.TxResult;
import org.junit.jupiter.api.Test;

/**
 * The Sybil attack on the trust layer: one attacker creates many identities to inflate trust. What
 * the ledger and the trust index stop, and (stated as a passing test) what they do not.
 */
class SybilAttackTest {
  private static final long HOUR = 3_600_000L;
  private final KeyPair attacker = Fixtures.key(900);
  private final List<KeyPair> sybils = Fixtures.keys(901, 20);
  private final Genesis genesis =
      Fixtures.genesis(List.of(Fixtures.key(0), attacker), 1_000_000_000L);
  private final Map<Address, Long> nonces = new HashMap<>();
  private LedgerState state = genesis.state();
  private final List<Block> blocks = new ArrayList<>(List.of(genesis.block()));
  private long time = Fixtures.GENESIS_TIME;

  private Transaction tx(KeyPair k, Payload p) {
    long n = nonces.getOrDefault(k.address(), 0L);
    return new TransactionBody(Fixtures.CHAIN, k.publicKey(), n, 1, p).sign(k);
  }

  /** Applies what the ledger accepts as one block, one hour later; returns the refusals. */
  private List<TxResult.Rejected> block(List<Transaction> txs) {
    time += HOUR;
    List<Transaction> ok = new ArrayList<>();
    List<TxResult.Rejected> refused = new ArrayList<>();
    for (Transaction t : txs) {
      LedgerState.Outcome o = state.apply(append(ok, t), Fixtures.key(0).address(), time);
      if (o instanceof LedgerState.Outcome.Rejected r) {
        refused.add(r.rejection());
      } else {
        ok.add(t);
        nonces.merge(t.sender(), 1L, Long::sum);
      }
    }
    state =
        ((LedgerState.Outcome.Applied) state.apply(ok, Fixtures.key(0).address(), time)).state();
    BlockHeader p = blocks.get(blocks.size() - 1).header();
    blocks.add(
        new Block(
            new BlockHeader(
                p.height() + 1,
                p.hash(),
                Block.transactionsRoot(ok),
                ok.size(),
                state.root(),
                time,
                Fixtures.key(0).address(),
                new byte[0]),
            ok));
    return refused;
  }

  private static List<Transaction> append(List<Transaction> l, Transaction t) {
    List<Transaction> out = new ArrayList<>(l);
    out.add(t);
    return out;
  }

  private TrustIndex index() {
    return TrustIndex.replay(TrustParameters.DEFAULT, blocks);
  }

  @Test
  void sybilIdentities_ratingEachOtherWithoutTrades_areRejected_andStartAtTrp1() {
    // The attacker funds 20 fresh identities.
    List<Transaction> funding = new ArrayList<>();
    for (KeyPair s : sybils) {
      Transaction t = tx(attacker, new Payload.Transfer(s.address(), 1_000_000));
      funding.add(t);
      nonces.merge(attacker.address(), 1L, Long::sum);
    }
    nonces.put(attacker.address(), 0L);
    assertThat(block(funding)).isEmpty();
    // Every identity rates every other 5, citing the funding transfers (no trade) or made-up ids.
    List<Transaction> ratings = new ArrayList<>();
    for (int i = 0; i < sybils.size(); i++) {
      Hash cited =
          i % 2 == 0
              ? funding.get((i + 1) % sybils.size()).id()
              : Hash.sha256(new byte[] {(byte) i});
      ratings.add(tx(sybils.get(i), new Payload.Rating(cited, 5)));
    }
    List<TxResult.Rejected> refused = block(ratings);
    assertThat(refused).hasSize(sybils.size());
    assertThat(refused).allMatch(r -> r.reason() == RejectReason.BAD_RATING);
    TrustIndex idx = index();
    for (KeyPair s : sybils) {
      assertThat(idx.trust(s.address())).isZero();
      assertThat(idx.trp(s.address())).isEqualTo(1);
    }
    // A fresh identity cannot join the validator pool either (trust below the TRP 2 threshold).
    TrustStake p = TrustStake.builder().initialValidators(List.of(attacker.address())).build();
    List<TrustStake.Candidate> pool = new ArrayList<>();
    for (KeyPair s : sybils) {
      pool.add(new TrustStake.Candidate(s.address(), 1_000_000, idx.trust(s.address()), 3));
    }
    assertThat(p.selectCommittee(pool, List.of(attacker.address()), java.util.Set.of()))
        .containsExactly(attacker.address());
  }

  @Test
  void sybilIdentities_ratingTheSameTradeTwice_orATradeTheyWereNotPartOf_areRejected() {
    KeyPair a = sybils.get(0);
    KeyPair b = sybils.get(1);
    KeyPair c = sybils.get(2);
    List<Transaction> fund = new ArrayList<>();
    for (KeyPair s : List.of(a, b, c)) {
      fund.add(tx(attacker, new Payload.Transfer(s.address(), 100_000_000)));
      nonces.merge(attacker.address(), 1L, Long::sum);
    }
    nonces.put(attacker.address(), 0L);
    block(fund);
    Transaction trade =
        tx(b, new Payload.EnergyTrade(a.address(), b.address(), 1_000, 1_000_000, "wash"));
    assertThat(block(List.of(trade))).isEmpty();
    Transaction first = tx(b, new Payload.Rating(trade.id(), 5));
    nonces.merge(b.address(), 1L, Long::sum);
    Transaction again = tx(b, new Payload.Rating(trade.id(), 5)); // ballot stuffing
    nonces.merge(b.address(), -1L, Long::sum);
    List<TxResult.Rejected> refused =
        block(List.of(first, again, tx(c, new Payload.Rating(trade.id(), 5)))); // c: not a party
    assertThat(refused).hasSize(2).allMatch(r -> r.reason() == RejectReason.BAD_RATING);
    assertThat(index().trader(a.address()).ratings()).isEqualTo(1);
  }

  /**
   * What the trust layer does NOT stop: identities that really trade with each other (wash trades:
   * the coins go round in a circle) and rate each other 5 after every trade. Each trade costs fees
   * and counts once per party, but nothing on the ledger tells a wash trade from a real one, so
   * their trust climbs like an honest trader's: TRP 3 within hours, TRP 4 once the identities are
   * about two days old (β). Defences are outside the ledger: tying identities to metered energy (a
   * trade without matching meter readings), or to a registration authority.
   */
  @Test
  void sybilIdentities_washTradingInACircle_doGainTrust_limitationStatedPlainly() {
    List<KeyPair> ring = sybils.subList(0, 5);
    List<Transaction> fund = new ArrayList<>();
    for (KeyPair s : ring) {
      fund.add(tx(attacker, new Payload.Transfer(s.address(), 100_000_000)));
      nonces.merge(attacker.address(), 1L, Long::sum);
    }
    nonces.put(attacker.address(), 0L);
    block(fund);
    long supplyBefore = 0;
    for (KeyPair s : ring) {
      supplyBefore += state.account(s.address()).balance();
    }
    for (int round = 0; round < 60; round++) {
      List<Transaction> trades = new ArrayList<>();
      for (int i = 0; i < ring.size(); i++) {
        KeyPair buyer = ring.get(i);
        KeyPair seller = ring.get((i + 1) % ring.size());
        trades.add(
            tx(
                buyer,
                new Payload.EnergyTrade(seller.address(), buyer.address(), 1_000, 1_000_000, "x")));
        nonces.merge(buyer.address(), 1L, Long::sum);
      }
      for (KeyPair s : ring) {
        nonces.merge(s.address(), -1L, Long::sum);
      }
      assertThat(block(trades)).isEmpty();
      List<Transaction> rates = new ArrayList<>();
      for (Transaction t : trades) {
        Payload.EnergyTrade et = (Payload.EnergyTrade) t.body().payload();
        KeyPair buyer = ring.stream().filter(k -> k.address().equals(et.buyer())).findFirst().get();
        KeyPair seller =
            ring.stream().filter(k -> k.address().equals(et.seller())).findFirst().get();
        rates.add(tx(buyer, new Payload.Rating(t.id(), 5)));
        nonces.merge(buyer.address(), 1L, Long::sum);
        rates.add(tx(seller, new Payload.Rating(t.id(), 5)));
        nonces.merge(seller.address(), 1L, Long::sum);
      }
      for (Transaction t : rates) {
        nonces.merge(t.sender(), -1L, Long::sum);
      }
      assertThat(block(rates)).isEmpty();
    }
    TrustIndex idx = index();
    long supplyAfter = 0;
    for (KeyPair s : ring) {
      supplyAfter += state.account(s.address()).balance();
      assertThat(idx.trp(s.address())).as("wash trader TRP").isEqualTo(4);
      assertThat(idx.trust(s.address())).isGreaterThan(TrustScores.TRP4_MIN);
    }
    // The only cost was the fees: 1 per trade and per rating.
    assertThat(supplyBefore - supplyAfter).isEqualTo(60L * ring.size() * 3);
  }
}
