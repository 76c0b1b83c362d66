package org.gridtrade.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.gridtrade.ledger.spi.LedgerModule;
import org.gridtrade.ledger.spi.ModuleContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The module SPI: a small deposit module (written here) runs through the ledger, and a model of the
 * chain written separately in the test predicts every acceptance, every account, every module key
 * and the state root (through {@link StateOracle}).
 */
class LedgerModuleTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final int NS = 40;
  private static final int REFUND_EVERY = 5;
  private static final long FEE = 1;
  private final List<KeyPair> keys = TestKit.keys(5);
  private final Genesis genesis = TestKit.genesis(keys, 10_000).withModules(List.of(Deposits.NAME));

  // ---- the module under test ----

  /**
   * Deposits coins with the module; withdraws them; every {@value #REFUND_EVERY} heights the
   * end-of-block hook refunds every deposit in the order they were first made. Ops 3 and 4 break
   * the rules on purpose (a write outside the namespace, a transfer from a third party).
   */
  static class Deposits implements LedgerModule {
    static final String NAME = "deposits";

    @Override
    public String name() {
      return NAME;
    }

    @Override
    public int namespace() {
      return NS;
    }

    static StateKey deposit(Address a) {
      byte[] k = new byte[1 + Address.LENGTH];
      k[0] = 'd';
      System.arraycopy(a.bytes(), 0, k, 1, Address.LENGTH);
      return StateKey.of(NS, k);
    }

    static StateKey index(int i) {
      return StateKey.of(NS, ByteBuffer.allocate(5).put((byte) 'i').putInt(i).array());
    }

    static final StateKey COUNT = StateKey.of(NS, new byte[] {'n'});

    static long amount(ModuleContext ctx, StateKey k) {
      return ctx.get(k).map(v -> ByteBuffer.wrap(v).getLong()).orElse(0L);
    }

    @Override
    public Optional<TxResult.Rejected> execute(ModuleContext ctx, Transaction tx) {
      ByteBuffer in = ByteBuffer.wrap(((Payload.Call) tx.body().payload()).data());
      int op = in.get();
      long amount = in.getLong();
      Address me = tx.sender();
      StateKey k = deposit(me);
      long held = amount(ctx, k);
      switch (op) {
        case 1 -> {
          Optional<TxResult.Rejected> r = ctx.transfer(me, LedgerModule.account(NAME), amount);
          if (r.isPresent()) {
            return r;
          }
          if (held == 0) {
            int n = ctx.get(COUNT).map(v -> ByteBuffer.wrap(v).getInt()).orElse(0);
            ctx.put(index(n), me.bytes());
            ctx.put(COUNT, ByteBuffer.allocate(4).putInt(n + 1).array());
          }
          ctx.put(k, ByteBuffer.allocate(8).putLong(held + amount).array());
          return Optional.empty();
        }
        case 2 -> {
          if (amount > held) {
            return Optional.of(
                new TxResult.Rejected(
                    RejectReason.MODULE_RULE,
                    "deposits: withdraw %d > deposit %d".formatted(amount, held)));
          }
          ctx.transfer(LedgerModule.account(NAME), me, amount);
          if (held == amount) {
            ctx.delete(k);
          } else {
            ctx.put(k, ByteBuffer.allocate(8).putLong(held - amount).array());
          }
          return Optional.empty();
        }
        case 3 -> {
          ctx.put(StateKey.account(me), new byte[56]); // not its namespace: refused
          return Optional.empty();
        }
        default -> {
          // Coins of another account: refused.
          ctx.transfer(ctx.proposer(), me, amount);
          return Optional.empty();
        }
      }
    }

    @Override
    public void endBlock(ModuleContext ctx) {
      if (ctx.height() % REFUND_EVERY != 0) {
        return;
      }
      int n = ctx.get(COUNT).map(v -> ByteBuffer.wrap(v).getInt()).orElse(0);
      for (int i = 0; i < n; i++) {
        Address a = Address.ofBytes(ctx.get(index(i)).orElseThrow());
        long held = amount(ctx, deposit(a));
        if (held > 0) {
          ctx.transfer(LedgerModule.account(NAME), a, held);
          ctx.delete(deposit(a));
        }
        ctx.delete(index(i));
      }
      ctx.delete(COUNT);
    }
  }

  private static Transaction call(KeyPair k, long nonce, int op, long amount) {
    byte[] data = ByteBuffer.allocate(9).put((byte) op).putLong(amount).array();
    return new TransactionBody(
            TestKit.CHAIN, k.publicKey(), nonce, FEE, new Payload.Call(Deposits.NAME, data))
        .sign(k);
  }

  // ---- the model: the documented rules, written out again ----

  private static final class Model {
    final TreeMap<Address, Account> accounts = new TreeMap<>();
    final TreeMap<Address, Long> deposits = new TreeMap<>();
    final List<Address> index = new ArrayList<>();
    final Address moduleAccount;

    Model(Genesis g) {
      g.forEachAllocation((a, v) -> accounts.put(a, new Account(v, 0, 0, Hash.ZERO)));
      byte[] h =
          sha256(
              ("GridTrade/module/" + Deposits.NAME)
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      moduleAccount = Address.ofBytes(java.util.Arrays.copyOf(h, 20));
    }

    Account acc(Address a) {
      return accounts.getOrDefault(a, Account.EMPTY);
    }

    void add(Address a, long delta) {
      Account x = acc(a);
      accounts.put(a, new Account(x.balance() + delta, x.nonce(), x.stake(), x.lastPayment()));
    }

    /** Applies one call; returns the expected rejection reason, or null if accepted. */
    RejectReason apply(Transaction tx, int op, long amount) {
      Address me = tx.sender();
      long held = deposits.getOrDefault(me, 0L);
      switch (op) {
        case 1 -> {
          if (acc(me).balance() < amount) {
            return RejectReason.INSUFFICIENT_FUNDS;
          }
          if (acc(me).balance() - amount < FEE) {
            return RejectReason.INSUFFICIENT_FUNDS;
          }
          add(me, -amount);
          add(moduleAccount, amount);
          if (held == 0) {
            index.add(me);
          }
          deposits.put(me, held + amount);
        }
        case 2 -> {
          if (amount > held) {
            return RejectReason.MODULE_RULE;
          }
          if (acc(me).balance() + amount < FEE) {
            return RejectReason.INSUFFICIENT_FUNDS;
          }
          add(moduleAccount, -amount);
          add(me, amount);
          if (held == amount) {
            deposits.remove(me);
          } else {
            deposits.put(me, held - amount);
          }
        }
        default -> {
          return RejectReason.MODULE_RULE;
        }
      }
      Account x = acc(me);
      accounts.put(me, new Account(x.balance() - FEE, x.nonce() + 1, x.stake(), tx.id()));
      return null;
    }

    void endBlock(long height, Address proposer, long fees) {
      if (height % REFUND_EVERY == 0) {
        for (Address a : index) {
          Long held = deposits.remove(a);
          if (held != null && held > 0) {
            add(moduleAccount, -held);
            add(a, held);
          }
        }
        index.clear();
      }
      if (fees > 0) {
        add(proposer, fees);
      }
    }

    Map<String, byte[]> moduleKeys() {
      Map<String, byte[]> out = new TreeMap<>();
      deposits.forEach(
          (a, v) -> out.put(hexKey('d', a.bytes()), ByteBuffer.allocate(8).putLong(v).array()));
      for (int i = 0; i < index.size(); i++) {
        out.put(hexKey('i', ByteBuffer.allocate(4).putInt(i).array()), index.get(i).bytes());
      }
      if (!index.isEmpty()) {
        out.put(hexKey('n', new byte[0]), ByteBuffer.allocate(4).putInt(index.size()).array());
      }
      return out;
    }

    private static String hexKey(char kind, byte[] rest) {
      byte[] k = new byte[2 + rest.length];
      k[0] = (byte) NS;
      k[1] = (byte) kind;
      System.arraycopy(rest, 0, k, 2, rest.length);
      return HexFormat.of().formatHex(k);
    }

    Hash root() {
      return StateOracle.root(accounts, Map.of(), Set.of(), moduleKeys());
    }
  }

  static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  // ---- tests ----

  @Test
  void property_randomCalls_matchAnIndependentModelOfAccountsKeysAndRoot() {
    qt().withFixedSeed(20261206L)
        .withExamples(30)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random rnd = new Random(seed);
              Model model = new Model(genesis);
              Address proposer = keys.get(0).address();
              try (Ledger ledger =
                  Ledger.open(
                      genesis,
                      BlockStores.inMemory(),
                      org.gridtrade.ledger.spi.SealVerifier.acceptAll(),
                      Ledger.DEFAULT_STATE_RETENTION,
                      List.of(new Deposits()))) {
                assertThat(ledger.state().root()).isEqualTo(model.root());
                int accepted = 0;
                int refused = 0;
                for (int block = 1; block <= 12; block++) {
                  List<Transaction> candidates = new ArrayList<>();
                  List<RejectReason> expected = new ArrayList<>();
                  long fees = 0;
                  for (int i = 0; i < 1 + rnd.nextInt(6); i++) {
                    KeyPair k = keys.get(1 + rnd.nextInt(keys.size() - 1));
                    int op = rnd.nextInt(10) < 8 ? 1 + rnd.nextInt(2) : 3 + rnd.nextInt(2);
                    long amount = 1 + rnd.nextInt(rnd.nextInt(8) == 0 ? 20_000 : 3_000);
                    Transaction tx = call(k, model.acc(k.address()).nonce(), op, amount);
                    RejectReason r = model.apply(tx, op, amount);
                    candidates.add(tx);
                    expected.add(r);
                    if (r == null) {
                      fees += FEE;
                    }
                  }
                  Ledger.Proposal p = ledger.propose(candidates, proposer, T0 + block * 1_000L);
                  List<RejectReason> got = new ArrayList<>();
                  for (Transaction tx : candidates) {
                    got.add(
                        p.skipped().stream()
                            .filter(s -> s.transaction().equals(tx))
                            .map(s -> s.rejection().reason())
                            .findFirst()
                            .orElse(null));
                  }
                  assertThat(got).as("block %d", block).isEqualTo(expected);
                  assertThat(ledger.append(p.block())).isInstanceOf(BlockResult.Appended.class);
                  model.endBlock(block, proposer, fees);
                  LedgerState s = ledger.state();
                  assertThat(s.height()).isEqualTo(block);
                  for (Map.Entry<Address, Account> e : model.accounts.entrySet()) {
                    assertThat(s.account(e.getKey())).as("%s", e.getKey()).isEqualTo(e.getValue());
                  }
                  for (Map.Entry<String, byte[]> e : model.moduleKeys().entrySet()) {
                    assertThat(s.get(StateKey.decode(HexFormat.of().parseHex(e.getKey()))))
                        .hasValueSatisfying(v -> assertThat(v).isEqualTo(e.getValue()));
                  }
                  assertThat(s.accountCount()).isEqualTo(model.accounts.size());
                  assertThat(s.root()).as("root after block %d", block).isEqualTo(model.root());
                  assertThat(s.totalSupply()).isEqualTo(keys.size() * 10_000L);
                  accepted += candidates.size() - p.skipped().size();
                  refused += p.skipped().size();
                }
                assertThat(accepted).isPositive();
                assertThat(refused).isPositive();
                assertThat(ledger.verify().valid()).isTrue();
              }
            });
  }

  @Test
  void execute_writeOutsideItsNamespace_isRejectedAndChangesNothing() {
    LedgerState s = genesis.state(List.of(new Deposits()));
    Transaction bad = call(keys.get(1), 0, 3, 5);
    TxResult r = s.check(bad, T0);
    assertThat(r).isInstanceOf(TxResult.Rejected.class);
    TxResult.Rejected rej = (TxResult.Rejected) r;
    assertThat(rej.reason()).isEqualTo(RejectReason.MODULE_RULE);
    assertThat(rej.detail()).contains("deposits", "namespace 1", "owns namespace 40");
    LedgerState.Outcome o =
        s.apply(List.of(call(keys.get(1), 0, 1, 100), bad), keys.get(0).address(), T0);
    assertThat(o).isInstanceOf(LedgerState.Outcome.Rejected.class);
    assertThat(((LedgerState.Outcome.Rejected) o).index()).isEqualTo(1);
  }

  @Test
  void execute_transferFromAThirdParty_isRejected() {
    LedgerState s = genesis.state(List.of(new Deposits()));
    TxResult r = s.check(call(keys.get(1), 0, 4, 5), T0);
    assertThat(r).isInstanceOf(TxResult.Rejected.class);
    assertThat(((TxResult.Rejected) r).detail())
        .contains("only from the sender", keys.get(1).address().toString());
  }

  @Test
  void call_toAModuleTheChainDoesNotRun_isRejectedAsUnknown() {
    LedgerState s = TestKit.genesis(keys, 10_000).state();
    TxResult r = s.check(call(keys.get(1), 0, 1, 5), T0);
    assertThat(r).isInstanceOf(TxResult.Rejected.class);
    assertThat(((TxResult.Rejected) r).reason()).isEqualTo(RejectReason.UNKNOWN_TYPE);
    assertThat(((TxResult.Rejected) r).detail()).contains("'deposits'", "not run by this chain");
  }

  @Test
  void open_withModulesThatDoNotMatchTheGenesis_namesTheMissingOnes() {
    assertThatThrownBy(
            () ->
                Ledger.open(
                    genesis,
                    BlockStores.inMemory(),
                    org.gridtrade.ledger.spi.SealVerifier.acceptAll(),
                    Ledger.DEFAULT_STATE_RETENTION,
                    List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("missing [deposits]");
    assertThatThrownBy(() -> genesis.state()).isInstanceOf(IllegalStateException.class);
    LedgerModule clash =
        new Deposits() {
          @Override
          public String name() {
            return "other";
          }
        };
    assertThatThrownBy(
            () ->
                genesis
                    .withModules(List.of("deposits", "other"))
                    .state(List.of(new Deposits(), clash)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("both own namespace 40");
  }

  @Test
  void endBlock_thatThrows_makesTheBlockUnbuildable() {
    LedgerModule failing =
        new Deposits() {
          @Override
          public void endBlock(ModuleContext ctx) {
            throw new IllegalStateException("boom");
          }
        };
    try (Ledger ledger =
        Ledger.open(
            genesis,
            BlockStores.inMemory(),
            org.gridtrade.ledger.spi.SealVerifier.acceptAll(),
            Ledger.DEFAULT_STATE_RETENTION,
            List.of(failing))) {
      assertThatThrownBy(() -> ledger.propose(List.of(), keys.get(0).address(), T0 + 1))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("end-of-block hook failed at height 1")
          .hasMessageContaining("boom");
      assertThat(ledger.height()).isZero();
    }
  }

  @Test
  void genesis_withModules_roundTripsAndHashesApartFromTheSameChainWithout() throws Exception {
    Genesis plain = TestKit.genesis(keys, 10_000);
    assertThat(Genesis.decode(genesis.encode())).isEqualTo(genesis);
    assertThat(Genesis.decode(genesis.encode()).modules()).containsExactly("deposits");
    assertThat(genesis.configHash()).isNotEqualTo(plain.configHash());
    assertThat(genesis.block().header().stateRoot()).isEqualTo(plain.block().header().stateRoot());
    assertThat(Genesis.decode(plain.encode()).modules()).isEmpty();
    assertThatThrownBy(() -> plain.withModules(List.of("Bad")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'Bad'");
  }

  @Test
  void reopen_durableChainWithModules_readsTheModuleStateAndVerifies(@TempDir Path dir) {
    Path file = dir.resolve("chain.mv");
    Address proposer = keys.get(0).address();
    Hash root;
    try (Ledger ledger =
        Ledger.open(
            genesis,
            BlockStores.openDurable(file),
            org.gridtrade.ledger.spi.SealVerifier.acceptAll(),
            Ledger.DEFAULT_STATE_RETENTION,
            List.of(new Deposits()))) {
      for (int b = 1; b <= 7; b++) {
        KeyPair k = keys.get(1 + b % 4);
        Transaction tx = call(k, ledger.state().account(k.address()).nonce(), 1, 10L * b);
        Ledger.Proposal p = ledger.propose(List.of(tx), proposer, T0 + b);
        assertThat(p.skipped()).isEmpty();
        assertThat(ledger.append(p.block())).isInstanceOf(BlockResult.Appended.class);
      }
      root = ledger.state().root();
    }
    try (Ledger again =
        Ledger.open(
            genesis,
            BlockStores.openDurable(file),
            org.gridtrade.ledger.spi.SealVerifier.acceptAll(),
            Ledger.DEFAULT_STATE_RETENTION,
            List.of(new Deposits()))) {
      assertThat(again.state().root()).isEqualTo(root);
      assertThat(again.state().height()).isEqualTo(7);
      // Blocks 6 and 7 deposited 60 and 70 after the refund at height 5.
      assertThat(again.state().account(LedgerModule.account("deposits")).balance()).isEqualTo(130);
      assertThat(again.verify().valid()).isTrue();
    }
  }
}
