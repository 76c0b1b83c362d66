package org.gridtrade.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LedgerStateTest {
  private static final long T0 = 1_700_000_000_000L;
  private final List<KeyPair> keys = TestKit.keys(6);
  private final Genesis genesis = TestKit.genesis(keys, 1_000_000);

  private Transaction tx(int from, long nonce, long fee, Payload p) {
    KeyPair k = keys.get(from);
    return new TransactionBody(TestKit.CHAIN, k.publicKey(), nonce, fee, p).sign(k);
  }

  private Address addr(int i) {
    return keys.get(i).address();
  }

  private static LedgerState applied(LedgerState s, List<Transaction> txs, Address proposer) {
    LedgerState.Outcome o = s.apply(txs, proposer, T0);
    assertThat(o).as("outcome %s", o).isInstanceOf(LedgerState.Outcome.Applied.class);
    return ((LedgerState.Outcome.Applied) o).state();
  }

  private static TxResult.Rejected rejected(LedgerState s, Transaction t) {
    TxResult r = s.check(t, T0);
    assertThat(r).isInstanceOf(TxResult.Rejected.class);
    return (TxResult.Rejected) r;
  }

  private static BigInteger supply(LedgerState s) {
    BigInteger sum = BigInteger.ZERO;
    for (Account a : s.accounts().values()) {
      sum = sum.add(BigInteger.valueOf(a.balance())).add(BigInteger.valueOf(a.stake()));
    }
    return sum;
  }

  @Test
  void property_transfersTradesStakesAndSettlements_conserveSupply() {
    qt().withFixedSeed(31)
        .withExamples(150)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random rnd = new Random(seed);
              LedgerState s = genesis.state();
              BigInteger before = supply(s);
              int applied = 0;
              for (int block = 0; block < 8; block++) {
                List<Transaction> txs = new ArrayList<>();
                LedgerState.Overlay scratch = new LedgerState.Overlay(s, Genesis.NO_PROPOSER, T0);
                Map<Integer, Long> nonces = new HashMap<>();
                for (int i = 0; i < 1 + rnd.nextInt(6); i++) {
                  int from = 1 + rnd.nextInt(keys.size() - 1);
                  long nonce = nonces.getOrDefault(from, s.account(addr(from)).nonce());
                  Transaction t = randomConserving(rnd, s, from, nonce);
                  if (scratch.apply(t) == null) {
                    txs.add(t);
                    nonces.put(from, nonce + 1);
                  }
                }
                s = applied(s, txs, addr(rnd.nextInt(keys.size())));
                applied += txs.size();
                assertThat(supply(s)).isEqualTo(before);
                assertThat(BigInteger.valueOf(s.totalSupply())).isEqualTo(before);
              }
              assertThat(applied).isPositive();
            });
  }

  private Transaction randomConserving(Random rnd, LedgerState s, int from, long nonce) {
    long fee = rnd.nextInt(50);
    long bal = s.account(addr(from)).balance();
    long amount = 1 + (bal > 2 ? rnd.nextLong(bal) : 1);
    int to = rnd.nextInt(keys.size());
    Payload p =
        switch (rnd.nextInt(5)) {
          case 0 -> new Payload.Transfer(addr(to), amount);
          case 1 ->
              new Payload.EnergyTrade(
                  addr(to == from ? 0 : to),
                  addr(from),
                  1 + rnd.nextInt(5000),
                  rnd.nextInt(90_000),
                  "m");
          case 2 -> new Payload.Stake(amount);
          case 3 -> new Payload.Unstake(1 + rnd.nextInt(1000));
          default -> {
            int ev = to == from ? 0 : to;
            Account evAcc = s.account(addr(ev));
            long credit = Math.max(1, Math.min(evAcc.balance(), 1 + rnd.nextInt(100_000)));
            yield Payload.DemandResponseSettlement.sign(
                TestKit.CHAIN,
                new Payload.DemandResponseSettlement.Request(ev, addr(ev), credit),
                new Payload.DemandResponseSettlement.Token(
                    credit, T0 + 60_000, evAcc.lastPayment(), T0 - 1000),
                1 + rnd.nextInt(10_000),
                1 + rnd.nextLong(credit),
                keys.get(from),
                keys.get(ev));
          }
        };
    return tx(from, nonce, fee, p);
  }

  @Test
  void property_transfers_matchBigIntegerModel() {
    // Independent model: balances as BigInteger, a transfer applies iff amount + fee <= balance.
    qt().withFixedSeed(32)
        .withExamples(100)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random rnd = new Random(seed);
              LedgerState s = genesis.state();
              Map<Address, BigInteger> model = new HashMap<>();
              for (KeyPair k : keys) {
                model.put(k.address(), BigInteger.valueOf(1_000_000));
              }
              Address proposer = addr(0);
              for (int i = 0; i < 40; i++) {
                int from = 1 + rnd.nextInt(keys.size() - 1);
                int to = rnd.nextInt(keys.size());
                long amount = 1 + rnd.nextInt(600_000);
                long fee = rnd.nextInt(1000);
                Transaction t =
                    tx(
                        from,
                        s.account(addr(from)).nonce(),
                        fee,
                        new Payload.Transfer(addr(to), amount));
                BigInteger bal = model.get(addr(from));
                boolean affordable = bal.compareTo(BigInteger.valueOf(amount + fee)) >= 0;
                LedgerState.Outcome o = s.apply(List.of(t), proposer, T0);
                assertThat(o instanceof LedgerState.Outcome.Applied).isEqualTo(affordable);
                if (affordable) {
                  s = ((LedgerState.Outcome.Applied) o).state();
                  model.put(addr(from), bal.subtract(BigInteger.valueOf(amount + fee)));
                  model.merge(addr(to), BigInteger.valueOf(amount), BigInteger::add);
                  model.merge(proposer, BigInteger.valueOf(fee), BigInteger::add);
                }
              }
              for (KeyPair k : keys) {
                assertThat(BigInteger.valueOf(s.account(k.address()).balance()))
                    .isEqualTo(model.get(k.address()));
              }
            });
  }

  @Test
  void block_withOneBadTransaction_appliesNothing() {
    LedgerState s = genesis.state();
    Transaction ok = tx(1, 0, 5, new Payload.Transfer(addr(2), 100));
    Transaction bad = tx(2, 0, 5, new Payload.Transfer(addr(3), 5_000_000));
    LedgerState.Outcome o = s.apply(List.of(ok, bad), addr(0), T0);
    assertThat(o).isInstanceOf(LedgerState.Outcome.Rejected.class);
    LedgerState.Outcome.Rejected r = (LedgerState.Outcome.Rejected) o;
    assertThat(r.index()).isEqualTo(1);
    assertThat(r.rejection().reason()).isEqualTo(RejectReason.INSUFFICIENT_FUNDS);
    assertThat(s.root()).isEqualTo(genesis.state().root());
    assertThat(s.account(addr(1))).isEqualTo(new Account(1_000_000, 0, 0, Hash.ZERO));
  }

  @Test
  void rejections_nameTheirReason() {
    LedgerState s = genesis.state();
    assertThat(
            rejected(
                    s,
                    new TransactionBody(99, keys.get(1).publicKey(), 0, 0, new Payload.Stake(1))
                        .sign(keys.get(1)))
                .reason())
        .isEqualTo(RejectReason.WRONG_CHAIN);
    assertThat(rejected(s, tx(1, 1, 0, new Payload.Stake(1))).reason())
        .isEqualTo(RejectReason.NONCE_GAP);
    LedgerState s1 = applied(s, List.of(tx(1, 0, 0, new Payload.Stake(10))), addr(0));
    TxResult.Rejected replay = rejected(s1, tx(1, 0, 0, new Payload.Stake(10)));
    assertThat(replay.reason()).isEqualTo(RejectReason.NONCE_REPLAY);
    assertThat(replay.detail()).contains("nonce 0 < next nonce 1");
    assertThat(rejected(s, tx(1, 0, 0, new Payload.Transfer(addr(2), 1_000_001))).reason())
        .isEqualTo(RejectReason.INSUFFICIENT_FUNDS);
    assertThat(rejected(s, tx(1, 0, 0, new Payload.Reward(addr(2), 5))).reason())
        .isEqualTo(RejectReason.UNAUTHORIZED);
    assertThat(
            rejected(s, tx(1, 0, 0, new Payload.EnergyTrade(addr(3), addr(2), 10, 10, "m")))
                .reason())
        .isEqualTo(RejectReason.UNAUTHORIZED);
    assertThat(rejected(s, tx(1, 0, 0, new Payload.Unstake(1))).reason())
        .isEqualTo(RejectReason.INSUFFICIENT_STAKE);
    assertThat(rejected(s, tx(0, 0, 0, new Payload.Slash(addr(2), 1, Hash.ZERO))).reason())
        .isEqualTo(RejectReason.INSUFFICIENT_STAKE);
    // A reward that would take the total supply past Long.MAX_VALUE, though no balance overflows.
    assertThat(
            rejected(
                    s,
                    tx(0, 0, 0, new Payload.Reward(addr(3), Long.MAX_VALUE - s.totalSupply() + 1)))
                .reason())
        .isEqualTo(RejectReason.OVERFLOW);
    LedgerState rich =
        applied(
            s,
            List.of(tx(0, 0, 0, new Payload.Reward(addr(2), Long.MAX_VALUE - s.totalSupply()))),
            addr(0));
    assertThat(rejected(rich, tx(0, 1, 0, new Payload.Reward(addr(2), 1))).reason())
        .isEqualTo(RejectReason.OVERFLOW);
    byte[] enc = tx(1, 0, 0, new Payload.Stake(1)).encode();
    enc[enc.length - 1] ^= 1;
    try {
      assertThat(rejected(s, Transaction.decode(enc)).reason())
          .isEqualTo(RejectReason.BAD_SIGNATURE);
    } catch (DecodeException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void slashAndReward_onlyByAuthority_changeSupplyByTheirAmount() {
    LedgerState s = applied(genesis.state(), List.of(tx(2, 0, 0, new Payload.Stake(500))), addr(0));
    long supply = s.totalSupply();
    LedgerState slashed =
        applied(s, List.of(tx(0, 0, 0, new Payload.Slash(addr(2), 200, Hash.ZERO))), addr(0));
    assertThat(slashed.account(addr(2)).stake()).isEqualTo(300);
    assertThat(slashed.totalSupply()).isEqualTo(supply - 200);
    LedgerState rewarded =
        applied(slashed, List.of(tx(0, 1, 0, new Payload.Reward(addr(4), 70))), addr(0));
    assertThat(rewarded.totalSupply()).isEqualTo(supply - 130);
  }

  @Test
  void demandResponse_settlesOnce_andChecksTheToken() {
    KeyPair sp = keys.get(1);
    KeyPair ev = keys.get(2);
    LedgerState s = genesis.state();
    Payload.DemandResponseSettlement dr =
        settlement(sp, ev, 800_000, Hash.ZERO, T0 + 1000, 250_000);
    Transaction t = tx(1, 0, 10, dr);
    LedgerState after = applied(s, List.of(t), addr(0));
    assertThat(after.account(ev.address()).balance()).isEqualTo(750_000);
    assertThat(after.account(sp.address()).balance()).isEqualTo(1_250_000 - 10);
    assertThat(after.account(ev.address()).lastPayment()).isEqualTo(t.id());
    // The same token again (fresh SP nonce): pre_record is stale now.
    TxResult.Rejected again = rejected(after, tx(1, 1, 10, dr));
    assertThat(again.reason()).isEqualTo(RejectReason.BAD_TOKEN);
    assertThat(again.detail()).contains("preRecord");
    // Expired token.
    assertThat(rejected(s, tx(1, 0, 0, settlement(sp, ev, 800_000, Hash.ZERO, T0 - 1, 1))).detail())
        .contains("expired");
    // Credit above the real balance.
    assertThat(
            rejected(s, tx(1, 0, 0, settlement(sp, ev, 1_000_001, Hash.ZERO, T0 + 5, 1))).detail())
        .contains("credit");
    // A countersignature by someone else than the EV.
    Payload.DemandResponseSettlement forged =
        new Payload.DemandResponseSettlement(
            dr.request(),
            dr.token(),
            dr.energyWh(),
            dr.paymentMicro(),
            dr.ev(),
            dr.tokenSignature(),
            keys.get(3).sign(dr.drMessage(TestKit.CHAIN, sp.address())));
    assertThat(rejected(s, tx(1, 0, 0, forged)).reason()).isEqualTo(RejectReason.BAD_SIGNATURE);
  }

  private static Payload.DemandResponseSettlement settlement(
      KeyPair sp, KeyPair ev, long credit, Hash pre, long validUntil, long payment) {
    return Payload.DemandResponseSettlement.sign(
        TestKit.CHAIN,
        new Payload.DemandResponseSettlement.Request(42, ev.address(), credit),
        new Payload.DemandResponseSettlement.Token(
            credit, validUntil, pre, Math.min(validUntil, T0 - 5000)),
        3_000,
        payment,
        sp,
        ev);
  }

  @Test
  void genesis_rejectsBadAllocations_namingTheValue() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new Genesis(1, Map.of(addr(1), -5L), Set.of(), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-5");
  }
}
