package org.gridtrade.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ModuleTest {
  @Test
  void descriptor_exportsOnlyApiAndSpi() throws Exception {
    ModuleDescriptor d;
    try (InputStream in = Files.newInputStream(Path.of("target", "classes", "module-info.class"))) {
      d = ModuleDescriptor.read(in);
    }
    assertThat(d.name()).isEqualTo("org.gridtrade.consensus");
    assertThat(
            d.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()))
        .containsExactlyInAnyOrder(
            "org.gridtrade.consensus",
            "org.gridtrade.consensus.spi",
            "org.gridtrade.consensus.cluster",
            "org.gridtrade.consensus.poa",
            "org.gridtrade.consensus.poeg",
            "org.gridtrade.consensus.posoc",
            "org.gridtrade.consensus.trust");
    assertThat(d.exports()).allSatisfy(e -> assertThat(e.isQualified()).isFalse());
    assertThat(d.requires())
        .anySatisfy(
            r -> {
              assertThat(r.name()).isEqualTo("org.gridtrade.ledger");
              assertThat(r.modifiers()).contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE);
            });
    assertThat(
            d.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()))
        .contains("org.slf4j");
  }
}
