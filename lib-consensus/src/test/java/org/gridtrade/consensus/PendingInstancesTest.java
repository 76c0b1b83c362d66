package org.gridtrade.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.gridtrade.consensus.poa.ProofOfAuthority;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Ledger;
import org.gridtrade.ledger.Signature;
import org.gridtrade.ledger.Transaction;
import org.junit.jupiter.api.Test;

/**
 * A received block is validated with the mempool's already-verified instances of its pending
 * transactions only when the bytes are equal: a transaction with a pending one's body but another
 * signature is still checked, and rejected if the signature is bad.
 */
class PendingInstancesTest {
  private final List<KeyPair> users = Fixtures.keys(0, 10);
  private final KeyPair sealer = Fixtures.key(50);
  private final Genesis genesis = Fixtures.genesis(users, 1_000_000_000L);
  private final ManualClock clock = new ManualClock(Fixtures.GENESIS_TIME + 10_000);
  private final List<EngineListener.Rejection> rejected = new ArrayList<>();

  private BlockEngine engine() {
    return BlockEngine.builder()
        .genesis(genesis)
        .store(BlockStores.inMemory())
        .schedule(
            ConsensusSchedule.of(
                ProofOfAuthority.builder().sealers(List.of(sealer.address())).build()))
        .clock(clock)
        .listener(
            new EngineListener() {
              @Override
              public void onRejected(Rejection r) {
                rejected.add(r);
              }
            })
        .build();
  }

  /** A sealed block holding {@code txs}, with the state root of applying {@code asIf}. */
  private Block block(List<Transaction> txs, List<Transaction> asIf) {
    Ledger scratch = Ledger.open(genesis, BlockStores.inMemory());
    Block valid = scratch.propose(asIf, sealer.address(), clock.millis()).block();
    scratch.close();
    BlockHeader v = valid.header();
    BlockHeader h =
        new BlockHeader(
            v.height(),
            v.previousHash(),
            Block.transactionsRoot(txs),
            txs.size(),
            v.stateRoot(),
            v.timestamp(),
            v.proposer(),
            new byte[0]);
    Block unsealed = new Block(h, txs);
    return unsealed.withSeal(
        ProofOfAuthority.Seal.sign(unsealed.header(), sealer, null, null).encode());
  }

  @Test
  void pendingBodyWithAnotherSignature_isStillChecked() {
    Transaction pending = Fixtures.transfer(users.get(1), users.get(2).address(), 0, 10, 1);
    byte[] sig = pending.signature().bytes();
    sig[5] ^= 1;
    Transaction forged = Transaction.of(pending.body(), Signature.of(sig));
    assertThat(forged.id()).isEqualTo(pending.id());
    assertThat(forged).isNotEqualTo(pending);
    try (BlockEngine e = engine()) {
      assertThat(e.submit(pending).accepted()).isTrue();
      Block bad = block(List.of(forged), List.of(pending));
      e.receive("peer", new ConsensusMessage.NewBlock(bad.encode()));
      e.tick();
      assertThat(e.ledger().height()).isZero();
      assertThat(rejected).hasSize(1);
      assertThat(rejected.get(0).reason()).containsIgnoringCase("signature");

      Block good = block(List.of(pending), List.of(pending));
      e.receive("peer", new ConsensusMessage.NewBlock(good.encode()));
      e.tick();
      assertThat(e.ledger().height()).isEqualTo(1);
      assertThat(e.ledger().head().hash()).isEqualTo(good.hash());
      assertThat(e.mempool().size()).isZero();
    }
  }
}
