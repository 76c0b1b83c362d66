package org.gridtrade.auction;

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
    assertThat(d.name()).isEqualTo("org.gridtrade.auction");
    assertThat(
            d.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()))
        .containsExactly("org.gridtrade.auction");
    assertThat(d.requires().stream().map(ModuleDescriptor.Requires::name))
        .doesNotContain("org.gridtrade.ledger");
  }

  @Test
  void order_rejectsBadInput_namingFieldAndValue() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Order("EV1", Double.NaN, 1))
        .hasMessageContaining("EV1")
        .hasMessageContaining("price NaN");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Order("SP1", 5, -2))
        .hasMessageContaining("quantity -2.0");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Order(" ", 5, 2))
        .hasMessageContaining("blank");
  }
}
