package org.gridtrade.game.stackelberg;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ModuleTest {
  @Test
  void descriptor_exportsOnlyTheApi_andNeverTheLedger() throws Exception {
    ModuleDescriptor d;
    try (InputStream in = Files.newInputStream(Path.of("target", "classes", "module-info.class"))) {
      d = ModuleDescriptor.read(in);
    }
    assertThat(d.name()).isEqualTo("org.gridtrade.game");
    assertThat(
            d.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()))
        .containsExactlyInAnyOrder("org.gridtrade.game.stackelberg", "org.gridtrade.game.v2v");
    assertThat(d.requires().stream().map(ModuleDescriptor.Requires::name))
        .contains("org.gridtrade.auction", "io.jenetics.base", "ojalgo", "org.slf4j")
        .doesNotContain("org.gridtrade.ledger");
  }
}
