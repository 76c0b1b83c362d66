package org.gridtrade.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

public class ExampleCommandTest {

  private static String captureStdout(Runnable r) {
    PrintStream saved = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      r.run();
    } finally {
      System.setOut(saved);
    }
    return buf.toString(StandardCharsets.UTF_8);
  }

  @Test
  void everyExample_runsAndPrintsItsStory() {
    assertThat(ExampleCommand.EXAMPLES).isNotEmpty();
    for (String name : ExampleCommand.EXAMPLES.keySet()) {
      int[] code = new int[1];
      String out = captureStdout(() -> code[0] = Cli.run("example", name).exitCode());
      assertThat(code[0]).as(name).isZero();
      assertThat(out.lines().count()).as(name).isGreaterThan(5);
      assertThat(out).as(name).doesNotContain("NaN").doesNotContain("Exception");
    }
  }

  @Test
  void list_namesEveryExample_unknownNameIsRefused() {
    Cli list = Cli.run("example", "--list");
    assertThat(list.exitCode()).isZero();
    assertThat(list.out().lines()).hasSize(ExampleCommand.EXAMPLES.size());

    Cli unknown = Cli.run("example", "no-such");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.errorLine()).contains("no-such").contains("order-book");
    assertThat(Cli.run("example").exitCode()).isEqualTo(2);
  }
}
