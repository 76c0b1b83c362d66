package org.gridtrade.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.junit.jupiter.api.Test;

/** The Ratis state machine's ledger: what a batch entry applies and what it rejects. */
class RatisComparisonTest {
  private static final int CHAIN = 7; // the chain RatisComparison signs for

  private static KeyPair key(String name) {
    byte[] seed = Arrays.copyOf(name.getBytes(StandardCharsets.UTF_8), KeyPair.SEED_LENGTH);
    return KeyPair.fromSeed(seed);
  }

  private static final KeyPair ALICE = key("alice");
  private static final KeyPair BOB = key("bob");

  private static Transaction pay(KeyPair from, long nonce, KeyPair to, long amount, int chain) {
    return new TransactionBody(
            chain, from.publicKey(), nonce, 1, new Payload.Transfer(to.address(), amount))
        .sign(from);
  }

  private static Transaction pay(KeyPair from, long nonce, KeyPair to, long amount) {
    return pay(from, nonce, to, amount, CHAIN);
  }

  /** A machine in which Alice and Bob hold 100 each. */
  private static RatisComparison.LedgerMachine funded() {
    RatisComparison.LedgerMachine m = new RatisComparison.LedgerMachine();
    m.apply(
        ByteBuffer.wrap(
            RatisComparison.genesisEntry(100, List.of(ALICE.address(), BOB.address()))));
    return m;
  }

  private static long[] account(RatisComparison.LedgerMachine m, KeyPair k) {
    return m.account(k.address()).orElseThrow();
  }

  @Test
  void apply_validBatch_movesAmountsBurnsFeesAndAdvancesNonces() {
    RatisComparison.LedgerMachine m = funded();
    int[] r =
        m.apply(
            ByteBuffer.wrap(
                RatisComparison.batchEntry(
                    List.of(
                        pay(ALICE, 0, BOB, 10), pay(BOB, 0, ALICE, 5), pay(ALICE, 1, BOB, 3)))));

    assertThat(r).containsExactly(3, 0);
    // Alice: 100 - (10 + 1) + 5 - (3 + 1); Bob: 100 + 10 - (5 + 1) + 3.
    assertThat(account(m, ALICE)).containsExactly(90, 2);
    assertThat(account(m, BOB)).containsExactly(107, 1);
    assertThat(m.applied.get()).isEqualTo(3);
  }

  @Test
  void apply_tamperedSignature_rejectsThatTransactionOnly() {
    RatisComparison.LedgerMachine m = funded();
    Transaction good = pay(BOB, 0, ALICE, 5);
    Transaction forged = pay(ALICE, 0, BOB, 50);
    byte[] entry = RatisComparison.batchEntry(List.of(good, forged));
    entry[entry.length - 64] ^= 1; // the first byte of the forged transaction's signature

    int[] r = m.apply(ByteBuffer.wrap(entry));

    assertThat(r).containsExactly(1, 1);
    assertThat(m.badSignature.get()).isEqualTo(1);
    assertThat(account(m, ALICE)).containsExactly(105, 0);
    assertThat(account(m, BOB)).containsExactly(94, 1);
  }

  @Test
  void apply_wrongNonceOverdraftOrOtherChain_rejectedWithoutEffect() {
    RatisComparison.LedgerMachine m = funded();
    int[] r =
        m.apply(
            ByteBuffer.wrap(
                RatisComparison.batchEntry(
                    List.of(
                        pay(ALICE, 1, BOB, 1), // nonce 1 before 0
                        pay(ALICE, 0, BOB, 100), // 100 + fee 1 > 100
                        pay(ALICE, 0, BOB, 1, CHAIN + 1),
                        pay(key("nobody"), 0, BOB, 1)))));

    assertThat(r).containsExactly(0, 4);
    assertThat(account(m, ALICE)).containsExactly(100, 0);
    assertThat(account(m, BOB)).containsExactly(100, 0);
  }

  @Test
  void apply_truncatedEntries_changeNothing() {
    RatisComparison.LedgerMachine m = funded();
    byte[] batch = RatisComparison.batchEntry(List.of(pay(ALICE, 0, BOB, 10)));
    byte[] genesis = RatisComparison.genesisEntry(5, List.of(key("carol").address()));

    assertThat(m.apply(ByteBuffer.wrap(Arrays.copyOf(batch, batch.length - 1))))
        .containsExactly(0, 1);
    assertThat(m.apply(ByteBuffer.wrap(Arrays.copyOf(genesis, genesis.length - 1))))
        .containsExactly(0, 0);
    assertThat(m.apply(ByteBuffer.wrap(new byte[] {1, 127, 0, 0, 0}))).containsExactly(0, 0);

    assertThat(account(m, ALICE)).containsExactly(100, 0);
    assertThat(m.account(key("carol").address())).isEmpty();
  }
}
