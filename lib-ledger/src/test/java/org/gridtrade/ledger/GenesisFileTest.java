package org.gridtrade.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A genesis streamed from an allocations file, and the bulk-built genesis state. */
class GenesisFileTest {
  private static final long T0 = 1_700_000_000_000L;

  private static TreeMap<Address, Long> allocations(int n, long seed) {
    Random rnd = new Random(seed);
    TreeMap<Address, Long> m = new TreeMap<>();
    while (m.size() < n) {
      byte[] a = new byte[Address.LENGTH];
      rnd.nextBytes(a);
      m.put(Address.ofBytes(a), 1 + (long) rnd.nextInt(1_000_000));
    }
    return m;
  }

  private static Path write(Path dir, Map<Address, Long> alloc) throws IOException {
    StringBuilder b = new StringBuilder("# address,micro-coins\n");
    alloc.forEach((a, v) -> b.append(a).append(',').append(v).append('\n'));
    return Files.writeString(dir.resolve("alloc.csv"), b, StandardCharsets.US_ASCII);
  }

  @Test
  void fileGenesis_sameAsMapGenesis_hashBlockAndBulkBuiltState(@TempDir Path dir)
      throws IOException {
    // Above the bulk threshold, so the state is sorted and bulk built.
    TreeMap<Address, Long> alloc = allocations(Genesis.BULK_THRESHOLD + 1_234, 11);
    Set<Address> auth = Set.of(alloc.firstKey());
    Genesis fromMap = new Genesis(9, alloc, auth, T0);
    Genesis fromFile = Genesis.fromAllocationsFile(9, write(dir, alloc), auth, T0);
    assertThat(fromFile.allocationCount()).isEqualTo(alloc.size());
    assertThat(fromFile.configHash()).isEqualTo(fromMap.configHash());
    assertThat(fromFile.configHash()).isEqualTo(Hash.sha256(fromMap.encode()));
    assertThat(fromFile).isEqualTo(fromMap);
    LedgerState s = fromFile.state();
    Map<Address, Account> accounts = new TreeMap<>();
    long supply = 0;
    for (Map.Entry<Address, Long> e : alloc.entrySet()) {
      accounts.put(e.getKey(), new Account(e.getValue(), 0, 0, Hash.ZERO));
      supply += e.getValue();
    }
    assertThat(s.root()).isEqualTo(StateOracle.root(accounts, Map.of(), Set.of()));
    assertThat(s.accountCount()).isEqualTo(alloc.size());
    assertThat(s.totalSupply()).isEqualTo(supply);
    Address some = alloc.ceilingKey(Address.ofBytes(new byte[Address.LENGTH]));
    assertThat(s.account(some).balance()).isEqualTo(alloc.get(some));
    assertThat(fromFile.block().hash()).isEqualTo(fromMap.block().hash());
  }

  @Test
  void fileGenesis_ledgerOpensAppendsAndReopens(@TempDir Path dir) throws IOException {
    TreeMap<Address, Long> alloc = allocations(Genesis.BULK_THRESHOLD + 10, 12);
    KeyPair k = KeyPair.fromSeed(new byte[32]);
    alloc.put(k.address(), 1_000_000L);
    Genesis g = Genesis.fromAllocationsFile(3, write(dir, alloc), Set.of(k.address()), T0);
    Path file = dir.resolve("chain.mv");
    Hash head;
    try (Ledger ledger = Ledger.open(g, BlockStores.openDurable(file))) {
      Transaction tx =
          new TransactionBody(3, k.publicKey(), 0, 1, new Payload.Transfer(alloc.firstKey(), 5))
              .sign(k);
      Ledger.Proposal p = ledger.propose(java.util.List.of(tx), k.address(), T0 + 1);
      assertThat(ledger.append(p.block()).appended()).isTrue();
      head = ledger.head().hash();
      assertThat(ledger.state().account(alloc.firstKey()).balance())
          .isEqualTo(alloc.get(alloc.firstKey()) + 5);
    }
    Genesis again =
        Genesis.fromAllocationsFile(3, dir.resolve("alloc.csv"), Set.of(k.address()), T0);
    try (Ledger ledger = Ledger.open(again, BlockStores.openDurable(file))) {
      assertThat(ledger.head().hash()).isEqualTo(head);
      ChainReport r = ledger.verify();
      assertThat(r.valid()).as(r.toString()).isTrue();
      assertThat(r.stateRoot()).isEqualTo(ledger.state().root());
    }
  }

  @Test
  void badAllocationsFile_namesTheLineValueAndRule(@TempDir Path dir) throws IOException {
    TreeMap<Address, Long> alloc = allocations(3, 13);
    Address a = alloc.firstKey();
    Address b = alloc.higherKey(a);
    String[][] cases = {
      {a + ",5\n" + b + ",0\n", "line 2", "> 0"},
      {b + ",5\n" + a + ",5\n", "line 2", "strictly ascending"},
      {a + ",5\n" + a + ",6\n", "line 2", "duplicate"},
      {"# c\n" + a + ",x\n", "line 2", "whole number"},
      {"nothex,5\n", "line 1", "address"},
      {a + ",5,6\n", "line 1", "address,micro-coins"},
      {a + "," + Long.MAX_VALUE + "\n" + b + ",1\n", "line 2", "overflows"},
    };
    for (String[] c : cases) {
      Path f = Files.writeString(dir.resolve("bad.csv"), c[0], StandardCharsets.US_ASCII);
      assertThatThrownBy(() -> Genesis.fromAllocationsFile(1, f, Set.of(), T0))
          .as(c[0])
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(f.toString())
          .hasMessageContaining(c[1])
          .hasMessageContaining(c[2]);
    }
  }
}
