package org.gridtrade.ledger;

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
    Path info = Path.of("target", "classes", "module-info.class");
    ModuleDescriptor d;
    try (InputStream in = Files.newInputStream(info)) {
      d = ModuleDescriptor.read(in);
    }
    assertThat(d.name()).isEqualTo("org.gridtrade.ledger");
    assertThat(
            d.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()))
        .containsExactlyInAnyOrder(
            "org.gridtrade.ledger", "org.gridtrade.ledger.spi", "org.gridtrade.ledger.internal");
    // The internals reach the node module alone (it installs the signature confirmer).
    assertThat(d.exports())
        .allSatisfy(
            e -> {
              if (e.source().endsWith(".internal")) {
                assertThat(e.targets()).containsExactly("org.gridtrade.node");
              } else {
                assertThat(e.isQualified()).isFalse();
              }
            });
    assertThat(
            d.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()))
        .contains("org.bouncycastle.provider", "com.h2database.mvstore", "org.slf4j")
        .doesNotContain("org.gridtrade.consensus");
  }
}
