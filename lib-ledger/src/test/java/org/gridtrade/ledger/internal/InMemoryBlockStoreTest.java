package org.gridtrade.ledger.internal;

import org.gridtrade.ledger.spi.BlockStore;

class InMemoryBlockStoreTest extends BlockStoreContract {
  @Override
  BlockStore newStore() {
    return new InMemoryBlockStore();
  }
}
