package org.gridtrade.market;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.BlockResult;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Ledger;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.gridtrade.ledger.spi.LedgerModule;
import org.gridtrade.ledger.spi.SealVerifier;

/** A small chain running the double-auction module: key 0 is the authority (the operator). */
final class MarketChain implements AutoCloseable {
  static final int CHAIN = 11;
  static final long FEE = 1;
  static final long T0 = 1_800_000_000_000L;
  static final Instant DELIVERY = Instant.ofEpochSecond(1_800_003_600L);

  final List<KeyPair> keys;
  final Genesis genesis;
  final Ledger ledger;
  private final Map<Address, Long> nonces = new HashMap<>();

  MarketChain(int users, long each) {
    this(users, each, new DoubleAuctionMarket());
  }

  MarketChain(int users, long each, LedgerModule module) {
    this(users, each, List.of(module));
  }

  MarketChain(int users, long each, List<LedgerModule> modules) {
    keys = keys(users);
    genesis =
        genesis(keys, each).withModules(modules.stream().map(LedgerModule::name).sorted().toList());
    ledger =
        Ledger.open(
            genesis,
            BlockStores.inMemory(),
            SealVerifier.acceptAll(),
            Ledger.DEFAULT_STATE_RETENTION,
            modules);
  }

  static List<KeyPair> keys(int n) {
    List<KeyPair> ks = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] seed = new byte[32];
      new Random(7_919L * i + 3).nextBytes(seed);
      ks.add(KeyPair.fromSeed(seed));
    }
    return ks;
  }

  static Genesis genesis(List<KeyPair> keys, long each) {
    Map<Address, Long> alloc = new HashMap<>();
    keys.forEach(k -> alloc.put(k.address(), each));
    return new Genesis(CHAIN, alloc, Set.of(keys.get(0).address()), T0)
        .withModules(List.of(DoubleAuctionMarket.NAME));
  }

  KeyPair operator() {
    return keys.get(0);
  }

  /** A signed call with the sender's next nonce (counted here, whether or not it is accepted). */
  Transaction tx(KeyPair k, Payload payload) {
    long nonce = nonces.merge(k.address(), 1L, Long::sum) - 1;
    return new TransactionBody(CHAIN, k.publicKey(), nonce, FEE, payload).sign(k);
  }

  /** Forgets a nonce that a rejected transaction did not use. */
  void unuse(KeyPair k) {
    nonces.merge(k.address(), -1L, Long::sum);
  }

  /** Proposes and appends one block; returns the proposal (with the skipped transactions). */
  Ledger.Proposal block(List<Transaction> txs) {
    Ledger.Proposal p =
        ledger.propose(txs, operator().address(), T0 + (ledger.height() + 1) * 1_000L);
    assertThat(ledger.append(p.block())).isInstanceOf(BlockResult.Appended.class);
    return p;
  }

  /** Empty blocks until the head is at {@code height}. */
  void advanceTo(long height) {
    while (ledger.height() < height) {
      block(List.of());
    }
  }

  LedgerState state() {
    return ledger.state();
  }

  MarketSpec spec(ClearingRule rule, int kPpm, long gate) {
    return new MarketSpec(rule, kPpm, gate, DELIVERY, DELIVERY.plusSeconds(3_600));
  }

  @Override
  public void close() {
    ledger.close();
  }
}
