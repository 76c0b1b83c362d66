package org.gridtrade.consensus;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.gridtrade.consensus.spi.ChainView;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.KeyPair;

/** A chain of bare headers (no transactions) sealed by hand, for protocol-level tests. */
final class ChainFixture implements ChainView {
  final Genesis genesis;
  final List<BlockHeader> headers = new ArrayList<>();

  ChainFixture(Genesis genesis) {
    this.genesis = genesis;
    headers.add(genesis.block().header());
  }

  @Override
  public Optional<BlockHeader> header(long height) {
    return height >= 0 && height < headers.size()
        ? Optional.of(headers.get((int) height))
        : Optional.empty();
  }

  @Override
  public long activationHeight() {
    return 1;
  }

  BlockHeader head() {
    return headers.get(headers.size() - 1);
  }

  /** An unsealed empty header on top of the head, proposed by {@code key}, 1 s later. */
  BlockHeader next(KeyPair key, long extraMillis) {
    BlockHeader p = head();
    return new BlockHeader(
        p.height() + 1,
        p.hash(),
        Block.transactionsRoot(List.of()),
        0,
        p.stateRoot(),
        p.timestamp() + 1_000 + extraMillis,
        key.address(),
        new byte[0]);
  }
}
