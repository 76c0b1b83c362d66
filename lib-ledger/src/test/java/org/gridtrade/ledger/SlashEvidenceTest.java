package org.gridtrade.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A slash's evidence hash is used at most once per chain, and the used ids are in the root. */
class SlashEvidenceTest {
  private static final long T0 = 1_700_000_000_000L;
  private final List<KeyPair> keys = TestKit.keys(6);
  private final Genesis genesis = TestKit.genesis(keys, 1_000_000);

  private Transaction tx(int from, long nonce, Payload p) {
    KeyPair k = keys.get(from);
    return new TransactionBody(TestKit.CHAIN, k.publicKey(), nonce, 0, p).sign(k);
  }

  private Address addr(int i) {
    return keys.get(i).address();
  }

  private static Hash evidence(int i) {
    return Hash.sha256(("evidence-" + i).getBytes(StandardCharsets.US_ASCII));
  }

  private static LedgerState applied(LedgerState s, List<Transaction> txs) {
    LedgerState.Outcome o = s.apply(txs, Genesis.NO_PROPOSER, T0);
    assertThat(o).as("outcome %s", o).isInstanceOf(LedgerState.Outcome.Applied.class);
    return ((LedgerState.Outcome.Applied) o).state();
  }

  private LedgerState staked() {
    List<Transaction> stakes = new ArrayList<>();
    for (int i = 1; i < keys.size(); i++) {
      stakes.add(tx(i, 0, new Payload.Stake(500_000)));
    }
    return applied(genesis.state(), stakes);
  }

  @Test
  void secondSlashCitingTheSameEvidence_isRejected_andChangesNothing() {
    LedgerState s = staked();
    assertThat(s.usedEvidence()).isEmpty();
    LedgerState once = applied(s, List.of(tx(0, 0, new Payload.Slash(addr(2), 100, evidence(1)))));
    assertThat(once.account(addr(2)).stake()).isEqualTo(499_900);
    assertThat(once.isEvidenceUsed(evidence(1))).isTrue();
    assertThat(once.isEvidenceUsed(evidence(2))).isFalse();

    // Replayed with a fresh nonce, another amount, even another offender: still the same evidence.
    Transaction replay = tx(0, 1, new Payload.Slash(addr(3), 7, evidence(1)));
    TxResult r = once.check(replay, T0);
    assertThat(r).isInstanceOf(TxResult.Rejected.class);
    TxResult.Rejected rej = (TxResult.Rejected) r;
    assertThat(rej.reason()).isEqualTo(RejectReason.EVIDENCE_USED);
    assertThat(rej.detail()).contains(evidence(1).toString()).contains("already used");
    Hash rootBefore = once.root();
    LedgerState.Outcome o = once.apply(List.of(replay), Genesis.NO_PROPOSER, T0);
    assertThat(o).isInstanceOf(LedgerState.Outcome.Rejected.class);
    assertThat(((LedgerState.Outcome.Rejected) o).rejection().reason())
        .isEqualTo(RejectReason.EVIDENCE_USED);
    assertThat(once.root()).isEqualTo(rootBefore);
    assertThat(once.account(addr(3)).stake()).isEqualTo(500_000);

    // Other evidence still slashes.
    LedgerState twice =
        applied(once, List.of(tx(0, 1, new Payload.Slash(addr(3), 7, evidence(2)))));
    assertThat(twice.usedEvidence()).containsExactlyInAnyOrder(evidence(1), evidence(2));
  }

  @Test
  void twoSlashesCitingOneEvidenceInOneBlock_theSecondIsRejected() {
    LedgerState s = staked();
    List<Transaction> block =
        List.of(
            tx(0, 0, new Payload.Slash(addr(2), 100, evidence(5))),
            tx(0, 1, new Payload.Slash(addr(2), 100, evidence(5))));
    LedgerState.Outcome o = s.apply(block, Genesis.NO_PROPOSER, T0);
    assertThat(o).isInstanceOf(LedgerState.Outcome.Rejected.class);
    LedgerState.Outcome.Rejected rej = (LedgerState.Outcome.Rejected) o;
    assertThat(rej.index()).isEqualTo(1);
    assertThat(rej.rejection().reason()).isEqualTo(RejectReason.EVIDENCE_USED);
  }

  @Test
  void rejectedSlash_doesNotUseItsEvidence() {
    LedgerState s = staked();
    // More than the stake: rejected, so the evidence stays usable.
    Transaction tooMuch = tx(0, 0, new Payload.Slash(addr(2), 500_001, evidence(3)));
    assertThat(s.apply(List.of(tooMuch), Genesis.NO_PROPOSER, T0))
        .isInstanceOf(LedgerState.Outcome.Rejected.class);
    // Sent by a non-authority: rejected as unauthorized, not as used evidence.
    TxResult r = s.check(tx(1, 1, new Payload.Slash(addr(2), 1, evidence(3))), T0);
    assertThat(((TxResult.Rejected) r).reason()).isEqualTo(RejectReason.UNAUTHORIZED);
    LedgerState ok =
        applied(s, List.of(tx(0, 0, new Payload.Slash(addr(2), 500_000, evidence(3)))));
    assertThat(ok.account(addr(2)).stake()).isZero();
  }

  /** The documented root, recomputed by the naive oracle (shares no code with the ledger). */
  private static Hash oracleRoot(Map<Address, Account> sortedAccounts, Set<Hash> used) {
    return StateOracle.root(sortedAccounts, Map.of(), used);
  }

  /**
   * Random stakes and slashes citing evidence from a small pool, one transaction per block: the
   * ledger agrees with a plain model (a slash applies iff its evidence is unused and the stake
   * covers it), each id slashes at most once, and the root is the documented one (recomputed by
   * {@link StateOracle} from the model).
   */
  @Test
  void property_eachEvidenceSlashesOnce_matchingAModel_andTheRootAsDocumented() {
    qt().withFixedSeed(4711)
        .withExamples(60)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random rnd = new Random(seed);
              LedgerState s = genesis.state();
              Map<Address, Long> stake = new HashMap<>();
              long[] nonce = new long[keys.size()];
              Set<Hash> used = new HashSet<>();
              Map<Hash, Integer> slashesPerEvidence = new HashMap<>();
              for (int step = 0; step < 30; step++) {
                int who = 1 + rnd.nextInt(keys.size() - 1);
                Transaction t;
                boolean expectApplied;
                Hash ev = null;
                if (rnd.nextInt(3) == 0) {
                  long amount = 1 + rnd.nextInt(50_000);
                  t = tx(who, nonce[who], new Payload.Stake(amount));
                  expectApplied = true;
                } else {
                  ev = evidence(rnd.nextInt(5));
                  long amount = 1 + rnd.nextInt(40_000);
                  t = tx(0, nonce[0], new Payload.Slash(addr(who), amount, ev));
                  expectApplied = !used.contains(ev) && stake.getOrDefault(addr(who), 0L) >= amount;
                }
                LedgerState.Outcome o = s.apply(List.of(t), Genesis.NO_PROPOSER, T0);
                assertThat(o instanceof LedgerState.Outcome.Applied)
                    .as("step %d applied", step)
                    .isEqualTo(expectApplied);
                if (!expectApplied) {
                  if (used.contains(ev)) {
                    assertThat(((LedgerState.Outcome.Rejected) o).rejection().reason())
                        .isEqualTo(RejectReason.EVIDENCE_USED);
                  }
                  continue;
                }
                s = ((LedgerState.Outcome.Applied) o).state();
                Payload p = t.body().payload();
                if (p instanceof Payload.Stake st) {
                  stake.merge(addr(who), st.amount(), Long::sum);
                  nonce[who]++;
                } else {
                  Payload.Slash sl = (Payload.Slash) p;
                  stake.merge(addr(who), -sl.amount(), Long::sum);
                  used.add(ev);
                  slashesPerEvidence.merge(ev, 1, Integer::sum);
                  nonce[0]++;
                }
                for (int i = 1; i < keys.size(); i++) {
                  assertThat(s.account(addr(i)).stake()).isEqualTo(stake.getOrDefault(addr(i), 0L));
                }
                assertThat(s.usedEvidence()).isEqualTo(used);
                assertThat(s.root()).isEqualTo(oracleRoot(s.accounts(), used));
              }
              assertThat(slashesPerEvidence.values()).allMatch(n -> n == 1);
            });
  }

  @Test
  void root_isTheOracleRoot_andUsingEvidenceChangesIt() {
    LedgerState s = staked();
    assertThat(s.root()).isEqualTo(oracleRoot(s.accounts(), Set.of()));
    assertThat(genesis.state().root()).isEqualTo(oracleRoot(genesis.state().accounts(), Set.of()));
    LedgerState slashed = applied(s, List.of(tx(0, 0, new Payload.Slash(addr(1), 1, evidence(9)))));
    // Same accounts, different used sets: different roots.
    assertThat(slashed.root()).isNotEqualTo(oracleRoot(slashed.accounts(), Set.of()));
    assertThat(slashed.root()).isEqualTo(oracleRoot(slashed.accounts(), Set.of(evidence(9))));
  }
}
