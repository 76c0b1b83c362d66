package org.gridtrade.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.gridtrade.ledger.spi.BlockStore;
import org.gridtrade.ledger.spi.StoredBlock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockStoresTest {
  @Test
  void inMemory_freshEmptyStores() {
    try (BlockStore a = BlockStores.inMemory();
        BlockStore b = BlockStores.inMemory()) {
      a.append(new StoredBlock(0, Hash.sha256(new byte[] {1}), new byte[] {1}));

      assertNotSame(a, b);
      assertEquals(1, a.size());
      assertEquals(0, b.size());
    }
  }

  @Test
  void openDurable_createsParentDirectoriesAndPersists(@TempDir Path dir) {
    Path file = dir.resolve("data").resolve("node-1").resolve("chain.mv");
    byte[] encoded = {4, 5, 6};
    try (BlockStore store = BlockStores.openDurable(file)) {
      store.append(new StoredBlock(0, Hash.sha256(encoded), encoded));
    }

    assertTrue(Files.isRegularFile(file));
    try (BlockStore store = BlockStores.openDurable(file)) {
      assertArrayEquals(encoded, store.read(0).orElseThrow().encoded());
    }
  }

  @Test
  void openDurable_negativeCache_namesTheArgument_andCreatesNothing(@TempDir Path dir) {
    Path file = dir.resolve("chain.mv");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> BlockStores.openDurable(file, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cacheNodes -1");
    assertThat(java.nio.file.Files.exists(file)).isFalse();
  }

  @Test
  void openDurable_withoutCache_stillServesTheLedger(@TempDir Path dir) {
    Genesis g = TestKit.genesis(TestKit.keys(3), 1_000);
    Hash root;
    try (Ledger l = Ledger.open(g, BlockStores.openDurable(dir.resolve("c.mv"), 0))) {
      root = l.state().root();
      assertThat(l.state().account(TestKit.keys(3).get(1).address()).balance()).isEqualTo(1_000);
    }
    try (Ledger l = Ledger.open(g, BlockStores.openDurable(dir.resolve("c.mv"), 0))) {
      assertThat(l.state().root()).isEqualTo(root);
    }
  }

  @Test
  void publicSignatures_exposeOnlySpiTypes() {
    for (Method m : BlockStores.class.getDeclaredMethods()) {
      if (Modifier.isPublic(m.getModifiers())) {
        assertEquals(BlockStore.class, m.getReturnType(), m::toString);
        assertTrue(
            Arrays.stream(m.getParameterTypes()).allMatch(t -> t == Path.class || t == int.class),
            m::toString);
      }
    }
  }
}
