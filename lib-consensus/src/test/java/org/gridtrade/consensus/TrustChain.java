package org.gridtrade.consensus;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.gridtrade.consensus.spi.ChainView;
import org.gridtrade.consensus.trust.TrustStake;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;

/**
 * A chain of whole blocks sealed by hand for protocol-level tests of {@link TrustStake}: the
 * protocol reads transactions, which the ledger does not re-check here (roots are not verified).
 */
final class TrustChain implements ChainView {
  final List<Block> blocks = new ArrayList<>();
  private final long[] nonces = new long[400];

  TrustChain(Genesis genesis) {
    blocks.add(genesis.block());
  }

  @Override
  public Optional<BlockHeader> header(long height) {
    return block(height).map(Block::header);
  }

  @Override
  public Optional<Block> block(long height) {
    return height >= 0 && height < blocks.size()
        ? Optional.of(blocks.get((int) height))
        : Optional.empty();
  }

  @Override
  public long activationHeight() {
    return 1;
  }

  BlockHeader head() {
    return blocks.get(blocks.size() - 1).header();
  }

  /** An unsealed header with {@code txs} on top of the head, {@code gap} ms later. */
  Block unsealed(Address proposer, List<Transaction> txs, long gap) {
    BlockHeader p = head();
    return new Block(
        new BlockHeader(
            p.height() + 1,
            p.hash(),
            Block.transactionsRoot(txs),
            txs.size(),
            Hash.ZERO,
            p.timestamp() + gap,
            proposer,
            new byte[0]),
        txs);
  }

  /** Seals and appends a block by {@code key}; fails if the protocol rejects it. */
  Block append(TrustStake p, KeyPair key, List<Transaction> txs, long gap) {
    Block u = unsealed(key.address(), txs, gap);
    Block b = u.withSeal(p.seal(this, u.header(), key));
    Optional<String> problem = p.verifySeal(this, b.header(), head(), null);
    if (problem.isPresent()) {
      throw new IllegalStateException(problem.get());
    }
    blocks.add(b);
    return b;
  }

  /** The in-turn validator's key for the next block. */
  KeyPair inTurn(TrustStake p, List<KeyPair> keys) {
    for (KeyPair k : keys) {
      var e = p.eligibility(this, head(), k.address());
      if (e.eligible() && ((org.gridtrade.consensus.spi.Eligibility.Eligible) e).inTurn()) {
        return k;
      }
    }
    throw new IllegalStateException("nobody in turn at " + (head().height() + 1));
  }

  Transaction tx(KeyPair from, int index, Payload p) {
    return new TransactionBody(Fixtures.CHAIN, from.publicKey(), nonces[index]++, 0, p).sign(from);
  }

  Transaction burn(KeyPair from, int index, long amount) {
    return tx(from, index, new Payload.Transfer(TrustStake.BURN_ADDRESS, amount));
  }
}
