package org.gridtrade.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.gridtrade.ledger.spi.BlockStore;
import org.gridtrade.ledger.spi.SealVerifier;
import org.gridtrade.ledger.spi.StoredBlock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The attacks of Aggarwal Table 4.2 that the ledger answers, one test each (Sybil identities belong
 * to the trust layer). docs/security.md lists what each shows.
 */
class AttackCasesTest {
  private static final long T0 = 1_700_000_000_000L;
  private final List<KeyPair> keys = TestKit.keys(6);
  private final Genesis genesis = TestKit.genesis(keys, 10_000_000);
  private final KeyPair alice = keys.get(1);
  private final KeyPair bob = keys.get(2);
  private final KeyPair mallory = keys.get(3);

  private static TxResult.Rejected rejected(TxResult r) {
    assertThat(r).isInstanceOf(TxResult.Rejected.class);
    return (TxResult.Rejected) r;
  }

  private static Transaction transfer(KeyPair from, long nonce, Address to, long amount) {
    return transfer(TestKit.CHAIN, from, nonce, to, amount);
  }

  private static Transaction transfer(
      int chain, KeyPair from, long nonce, Address to, long amount) {
    return new TransactionBody(chain, from.publicKey(), nonce, 1, new Payload.Transfer(to, amount))
        .sign(from);
  }

  /** Appends one block holding exactly {@code txs}; fails the test if any is skipped. */
  private Block append(Ledger ledger, List<Transaction> txs) {
    Ledger.Proposal p =
        ledger.propose(txs, keys.get(0).address(), T0 + 2_000 * (ledger.height() + 1));
    assertThat(p.skipped()).isEmpty();
    assertThat(ledger.append(p.block()).appended()).isTrue();
    return p.block();
  }

  private static SecureRandom random(long seed) {
    try {
      SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
      r.setSeed(seed);
      return r;
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  @DisplayName("Wallet theft: a stolen keystore file without the password")
  void walletTheft() throws KeystoreException {
    char[] password = "a long passphrase nobody guesses".toCharArray();
    KeyPair key = alice;
    byte[] file = Keystore.encrypt(key, password, new Keystore.Params(11, 8, 1), random(1));
    assertThat(Keystore.decrypt(file, password).publicKey()).isEqualTo(key.publicKey());

    // The file does not hold the seed in clear.
    assertThat(indexOf(file, key.privateSeed())).isNegative();
    // A wrong password, and a tampered ciphertext, both fail authentication.
    KeystoreException wrong =
        org.junit.jupiter.api.Assertions.assertThrows(
            KeystoreException.class,
            () -> Keystore.decrypt(file, "a long passphrase nobody guesse".toCharArray()));
    assertThat(wrong.reason()).isEqualTo(KeystoreException.Reason.WRONG_PASSWORD_OR_TAMPERED);
    byte[] tampered = file.clone();
    tampered[Keystore.FILE_LENGTH - 20] ^= 1;
    assertThatThrownBy(() -> Keystore.decrypt(tampered, password))
        .isInstanceOf(KeystoreException.class)
        .satisfies(
            e ->
                assertThat(((KeystoreException) e).reason())
                    .isEqualTo(KeystoreException.Reason.WRONG_PASSWORD_OR_TAMPERED));
    // Lowering the stored cost (logN 11 -> 10) to make guessing cheaper breaks authentication:
    // the header is the cipher's associated data.
    byte[] cheaper = file.clone();
    cheaper[5] = 10;
    assertThatThrownBy(() -> Keystore.decrypt(cheaper, password))
        .isInstanceOf(KeystoreException.class)
        .satisfies(
            e ->
                assertThat(((KeystoreException) e).reason())
                    .isEqualTo(KeystoreException.Reason.WRONG_PASSWORD_OR_TAMPERED));
    // A hostile file asking for a huge scrypt cost is refused before any work.
    byte[] hostile = file.clone();
    hostile[5] = 30;
    assertThatThrownBy(() -> Keystore.decrypt(hostile, password))
        .isInstanceOf(KeystoreException.class)
        .hasMessageContaining("logN 30");
    // Brute-force cost per guess with the default parameters: scrypt N = 2^15, r = 8, 32 MiB.
    Keystore.Params d = Keystore.Params.defaults();
    assertThat(d.logN()).isEqualTo(15);
    assertThat(d.r()).isEqualTo(8);
    assertThat(d.memoryBytes()).isEqualTo(32L << 20);
    assertThat(Keystore.Params.fast().memoryBytes()).isEqualTo(1L << 20);
  }

  @Test
  @DisplayName("Transaction authentication: bad signature, another's key, wrong chain id")
  void transactionAuthentication() {
    LedgerState state = genesis.state();
    Mempool pool = Mempool.create(100, 1 << 20, 8);
    Transaction good = transfer(alice, 0, mallory.address(), 1_000);
    assertThat(state.check(good, T0).accepted()).isTrue();

    // A flipped bit anywhere in the signature.
    byte[] sig = good.signature().bytes();
    sig[17] ^= 0x04;
    Transaction badSig = Transaction.of(good.body(), Signature.of(sig));
    assertThat(rejected(pool.submit(badSig, state, T0)).reason())
        .isEqualTo(RejectReason.BAD_SIGNATURE);
    assertThat(rejected(state.check(badSig, T0)).reason()).isEqualTo(RejectReason.BAD_SIGNATURE);

    // Mallory writes a transfer out of Alice's account and signs it with her own key.
    TransactionBody stealing =
        new TransactionBody(
            TestKit.CHAIN, alice.publicKey(), 0, 1, new Payload.Transfer(mallory.address(), 1));
    assertThatThrownBy(() -> stealing.sign(mallory))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not the sender");
    Transaction forged =
        Transaction.of(stealing, transfer(mallory, 0, mallory.address(), 1).signature());
    assertThat(rejected(pool.submit(forged, state, T0)).reason())
        .isEqualTo(RejectReason.BAD_SIGNATURE);

    // Mallory makes Alice the buyer of a trade Mallory sends: only the buyer may send it.
    Transaction trade =
        new TransactionBody(
                TestKit.CHAIN,
                mallory.publicKey(),
                0,
                1,
                new Payload.EnergyTrade(mallory.address(), alice.address(), 1_000, 500_000, "x"))
            .sign(mallory);
    assertThat(rejected(state.check(trade, T0)).reason()).isEqualTo(RejectReason.UNAUTHORIZED);

    // A transaction signed for another chain.
    Transaction otherChain = transfer(TestKit.CHAIN + 1, alice, 0, mallory.address(), 1_000);
    assertThat(otherChain.hasValidSignatures()).isTrue();
    assertThat(rejected(pool.submit(otherChain, state, T0)).reason())
        .isEqualTo(RejectReason.WRONG_CHAIN);

    // A block carrying the forged transaction is refused whole.
    Ledger ledger = Ledger.open(genesis, BlockStores.inMemory());
    Block honest = ledger.propose(List.of(good), keys.get(0).address(), T0).block();
    Block withForged = forgeBlock(honest, List.of(good, forged));
    BlockResult r = ledger.append(withForged);
    assertThat(r.appended()).isFalse();
    assertThat(r.toString()).contains("BAD_SIGNATURE");
    assertThat(ledger.height()).isZero();
    assertThat(pool.size()).isZero();
  }

  /** The same header with other transactions and a matching transactions root. */
  private static Block forgeBlock(Block template, List<Transaction> txs) {
    BlockHeader h = template.header();
    return new Block(
        new BlockHeader(
            h.height(),
            h.previousHash(),
            Block.transactionsRoot(txs),
            txs.size(),
            h.stateRoot(),
            h.timestamp(),
            h.proposer(),
            h.seal()),
        txs);
  }

  @Test
  @DisplayName("Data unforgeability: a stored transaction changed, even with the hashes redone")
  void dataUnforgeability() throws DecodeException {
    TamperableStore store = new TamperableStore();
    Ledger ledger = Ledger.open(genesis, store);
    append(ledger, List.of(transfer(alice, 0, bob.address(), 100)));
    append(ledger, List.of(transfer(bob, 0, alice.address(), 2_000)));
    append(ledger, List.of(transfer(alice, 1, bob.address(), 300)));
    assertThat(ChainVerifier.verify(store, genesis, SealVerifier.acceptAll()).valid()).isTrue();

    // Bob rewrites his stored payment of 2,000 to 2 in block 2, keeping his signature.
    Block b2 = Block.decode(store.read(2).orElseThrow().encoded());
    Transaction paid = b2.transactions().get(0);
    Transaction smaller =
        Transaction.of(
            new TransactionBody(
                paid.body().chainId(),
                paid.body().sender(),
                paid.body().nonce(),
                paid.body().fee(),
                new Payload.Transfer(alice.address(), 2)),
            paid.signature());

    // (a) Only the bytes changed: the recorded hash and the Merkle root no longer match.
    Block raw = new Block(b2.header(), List.of(smaller));
    store.replace(2, new StoredBlock(2, b2.hash(), raw.encode()));
    ChainReport r = ChainVerifier.verify(store, genesis, SealVerifier.acceptAll());
    assertThat(r.firstBadHeight()).hasValue(2);

    // (b) The Merkle root and the recorded hash redone too: the signature gives it away.
    Block redone = forgeBlock(b2, List.of(smaller));
    store.replace(2, new StoredBlock(2, redone.hash(), redone.encode()));
    r = ChainVerifier.verify(store, genesis, SealVerifier.acceptAll());
    assertThat(r.firstBadHeight()).hasValue(2);
    assertThat(r.problem().orElseThrow()).contains("signature");
    assertThat(r.validBlocks()).isEqualTo(2);

    // (c) Any single flipped byte of the original stored block is caught as well.
    store.replace(2, new StoredBlock(2, b2.hash(), b2.encode()));
    byte[] enc = b2.encode();
    for (int i = 0; i < enc.length; i += 7) {
      byte[] flipped = enc.clone();
      flipped[i] ^= 0x20;
      store.replace(2, new StoredBlock(2, b2.hash(), flipped));
      assertThat(ChainVerifier.verify(store, genesis, SealVerifier.acceptAll()).firstBadHeight())
          .as("byte %d", i)
          .hasValue(2);
    }
  }

  @Test
  @DisplayName("Integrity: a whole block rewritten consistently still breaks the hash chain")
  void integrity() throws DecodeException {
    TamperableStore store = new TamperableStore();
    Ledger ledger = Ledger.open(genesis, store);
    append(ledger, List.of(transfer(alice, 0, bob.address(), 100)));
    Block original = append(ledger, List.of(transfer(bob, 0, alice.address(), 2_000)));
    append(ledger, List.of(transfer(alice, 1, bob.address(), 300)));
    InclusionProof proof = ledger.proveTransaction(2, 0);

    // Bob builds a perfectly valid alternative block 2 (paying 2 instead of 2,000) on the same
    // parent: valid signatures, roots and state root.
    TamperableStore fork = new TamperableStore();
    Ledger other = Ledger.open(genesis, fork);
    other.append(ledger.block(1).orElseThrow());
    Block alternative =
        other
            .propose(
                List.of(transfer(bob, 0, alice.address(), 2)),
                keys.get(0).address(),
                original.header().timestamp())
            .block();
    assertThat(other.append(alternative).appended()).isTrue();
    store.replace(2, new StoredBlock(2, alternative.hash(), alternative.encode()));

    ChainReport r = ChainVerifier.verify(store, genesis, SealVerifier.acceptAll());
    assertThat(r.firstBadHeight()).as("block 3 still names the original block 2").hasValue(3);
    assertThat(r.problem().orElseThrow()).contains("previous");
    // The original payment's inclusion proof holds against the original root only.
    byte[] paid = original.transactions().get(0).encode();
    assertThat(proof.verifyLeafData(paid, original.header().transactionsRoot())).isTrue();
    assertThat(proof.verifyLeafData(paid, alternative.header().transactionsRoot())).isFalse();
    // Reopening the tampered store refuses it.
    assertThatThrownBy(() -> Ledger.open(genesis, store))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("height 3");
  }

  @Test
  @DisplayName("Replay and double spend: same transaction twice, nonce reuse, conflicting spends")
  void replayAndDoubleSpend() {
    Ledger ledger = Ledger.open(genesis, BlockStores.inMemory());
    Mempool pool = Mempool.create(100, 1 << 20, 8);
    Transaction pay = transfer(alice, 0, bob.address(), 1_000);
    assertThat(pool.submit(pay, ledger.state(), T0).accepted()).isTrue();
    assertThat(rejected(pool.submit(pay, ledger.state(), T0)).reason())
        .as("the same transaction twice in the pool")
        .isEqualTo(RejectReason.DUPLICATE);
    append(ledger, List.of(pay));
    pool.prune(ledger.state());

    // Replayed after inclusion: the nonce is used.
    assertThat(rejected(pool.submit(pay, ledger.state(), T0)).reason())
        .isEqualTo(RejectReason.NONCE_REPLAY);
    assertThat(rejected(ledger.state().check(pay, T0)).reason())
        .isEqualTo(RejectReason.NONCE_REPLAY);
    Block replayBlock =
        forgeBlock(
            ledger.propose(List.of(), keys.get(0).address(), T0 + 10_000).block(), List.of(pay));
    assertThat(ledger.append(replayBlock).appended()).isFalse();

    // Two spends with one nonce: the pool keeps the first; a block cannot hold both.
    long balance = ledger.state().account(alice.address()).balance();
    Transaction toBob = transfer(alice, 1, bob.address(), balance - 10);
    Transaction toMallory = transfer(alice, 1, mallory.address(), balance - 10);
    assertThat(pool.submit(toBob, ledger.state(), T0).accepted()).isTrue();
    assertThat(rejected(pool.submit(toMallory, ledger.state(), T0)).reason())
        .isEqualTo(RejectReason.DUPLICATE);
    Ledger.Proposal both =
        ledger.propose(List.of(toBob, toMallory), keys.get(0).address(), T0 + 20_000);
    assertThat(both.block().transactions()).containsExactly(toBob);
    assertThat(both.skipped())
        .singleElement()
        .satisfies(s -> assertThat(s.rejection().reason()).isEqualTo(RejectReason.NONCE_REPLAY));
    assertThat(ledger.append(forgeBlock(both.block(), List.of(toBob, toMallory))).appended())
        .isFalse();

    // Two spends with consecutive nonces that together exceed the balance.
    Transaction toMallory2 = transfer(alice, 2, mallory.address(), balance - 10);
    Ledger.Proposal over =
        ledger.propose(List.of(toBob, toMallory2), keys.get(0).address(), T0 + 20_000);
    assertThat(over.skipped())
        .singleElement()
        .satisfies(
            s -> assertThat(s.rejection().reason()).isEqualTo(RejectReason.INSUFFICIENT_FUNDS));
    assertThat(ledger.append(forgeBlock(over.block(), List.of(toBob, toMallory2))).appended())
        .isFalse();
    // The same transaction twice in one block.
    assertThat(ledger.append(forgeBlock(over.block(), List.of(toBob, toBob))).appended()).isFalse();
    assertThat(ledger.height()).isEqualTo(1);
    assertThat(ledger.state().totalSupply()).isEqualTo(genesis.state().totalSupply());
  }

  @Test
  @DisplayName("DDoS: one sender floods the mempool")
  void ddosMempoolFlooding() {
    int maxTx = 500;
    long maxBytes = 1_000_000;
    int maxAhead = 16;
    Mempool pool = Mempool.create(maxTx, maxBytes, maxAhead);
    LedgerState state = genesis.state();
    List<Transaction> honest = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Transaction t = transfer(keys.get(i), 0, keys.get(5).address(), 10);
      assertThat(pool.submit(t, state, T0).accepted()).isTrue();
      honest.add(t);
    }
    // One funded sender submits 2,000 transactions with consecutive nonces and rising fees.
    int accepted = 0;
    int gaps = 0;
    for (int n = 0; n < 2_000; n++) {
      Transaction t =
          new TransactionBody(
                  TestKit.CHAIN,
                  mallory.publicKey(),
                  n,
                  1 + n,
                  new Payload.Transfer(bob.address(), 1))
              .sign(mallory);
      TxResult r = pool.submit(t, state, T0);
      if (r.accepted()) {
        accepted++;
      } else if (((TxResult.Rejected) r).reason() == RejectReason.NONCE_GAP) {
        gaps++;
      }
      assertThat(pool.size()).isLessThanOrEqualTo(maxTx);
      assertThat(pool.bytes()).isLessThanOrEqualTo(maxBytes);
    }
    assertThat(accepted).as("one sender holds at most maxNonceAhead + 1").isEqualTo(maxAhead + 1);
    assertThat(gaps).isEqualTo(2_000 - accepted);
    for (Transaction t : honest) {
      assertThat(pool.contains(t.id())).as("not evicted").isTrue();
    }
    Transaction late = transfer(keys.get(4), 0, alice.address(), 10);
    assertThat(pool.submit(late, state, T0).accepted()).as("others still get in").isTrue();

    // The bound that is not a defence: many fresh identities (zero-fee meter readings need no
    // funds) fill the pool up to its bounds; nothing pending is evicted, but newcomers wait.
    int fresh = 0;
    for (int i = 0; pool.size() < maxTx && i < 2 * maxTx; i++) {
      KeyPair sybil = TestKit.key(1_000 + i);
      Transaction t =
          new TransactionBody(
                  TestKit.CHAIN,
                  sybil.publicKey(),
                  0,
                  0,
                  new Payload.MeterReading("flood-" + i, T0, 60, 0, 0))
              .sign(sybil);
      if (pool.submit(t, state, T0).accepted()) {
        fresh++;
      }
    }
    assertThat(pool.size()).isEqualTo(maxTx);
    assertThat(pool.bytes()).isLessThanOrEqualTo(maxBytes);
    assertThat(fresh).isEqualTo(maxTx - 3 - (maxAhead + 1) - 1);
    for (Transaction t : honest) {
      assertThat(pool.contains(t.id())).as("still not evicted").isTrue();
    }
    assertThat(
            rejected(pool.submit(transfer(keys.get(5), 0, alice.address(), 1), state, T0)).reason())
        .isEqualTo(RejectReason.POOL_FULL);
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** A list store whose records an attacker with disk access can overwrite. */
  private static final class TamperableStore implements BlockStore {
    private final List<StoredBlock> blocks = new ArrayList<>();

    @Override
    public synchronized long size() {
      return blocks.size();
    }

    @Override
    public synchronized void append(StoredBlock block) {
      if (block.height() != blocks.size()) {
        throw new IllegalArgumentException("height " + block.height());
      }
      blocks.add(block);
    }

    @Override
    public synchronized Optional<StoredBlock> read(long height) {
      return height < blocks.size() ? Optional.of(blocks.get((int) height)) : Optional.empty();
    }

    @Override
    public synchronized long sizeInBytes() {
      return blocks.stream().mapToLong(StoredBlock::encodedLength).sum();
    }

    @Override
    public void close() {}

    synchronized void replace(int height, StoredBlock block) {
      blocks.set(height, block);
    }
  }
}
