package org.gridtrade.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Genesis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code gridtrade ledger verify} on a chain written by {@code gridtrade ledger-demo}. */
public class LedgerVerifyCommandTest {
  @TempDir Path tmp;

  private record Run(int exitCode, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = GridTradeCommand.configure(new CommandLine(new GridTradeCommand()));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return new Run(cl.execute(args), out.toString(), err.toString());
  }

  private Path chain() {
    Path dir = tmp.resolve("chain");
    Run r = run("ledger-demo", "--json", "--out", dir.toString(), "--traders", "4", "--hours", "6");
    assertThat(r.exitCode()).as(r.err()).isZero();
    return dir;
  }

  @Test
  void verifyAll_replaysEveryBlock_withProgress_andAgreesWithTheOpenedState() throws IOException {
    Path dir = chain();
    String store = dir.resolve("chain.mv").toString();
    String genesis = dir.resolve("genesis.bin").toString();
    Run open = run("ledger", "verify", "--store", store, "--genesis", genesis, "--json");
    assertThat(open.exitCode()).as(open.err()).isZero();
    JsonNode o = new ObjectMapper().readTree(open.out());
    assertThat(o.get("valid").asBoolean()).isTrue();
    assertThat(o.get("replayed").asBoolean()).isFalse();
    assertThat(o.get("height").asLong()).isEqualTo(6);

    Run all = run("ledger", "verify", "--store", store, "--genesis", genesis, "--all", "--json");
    assertThat(all.exitCode()).as(all.err()).isZero();
    JsonNode a = new ObjectMapper().readTree(all.out());
    assertThat(a.get("verifiedBlocks").asLong()).isEqualTo(7);
    assertThat(a.get("stateRoot").asText()).isEqualTo(o.get("stateRoot").asText());
    assertThat(a.get("problem").isNull()).isTrue();
    // The progress bar: on standard error, ending at 100 %.
    assertThat(all.err()).contains("verifying: 7 of 7 blocks (100 %)");
    assertThat(all.err().lines().count()).isBetween(1L, 11L);

    Run text = run("ledger", "verify", "--store", store, "--genesis", genesis, "--all");
    assertThat(text.exitCode()).isZero();
    assertThat(text.out()).contains("result          VALID").contains("replayed");
  }

  @Test
  void anotherChainsGenesis_isInvalid_exitOne_oneLine() throws IOException {
    Path dir = chain();
    Path other =
        Files.write(
            tmp.resolve("other.bin"),
            new Genesis(99, Map.of(Address.ofBytes(new byte[20]), 5L), Set.of(), 0).encode());
    Run r =
        run(
            "ledger",
            "verify",
            "--store",
            dir.resolve("chain.mv").toString(),
            "--genesis",
            other.toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err().strip().lines().count()).isEqualTo(1);
    assertThat(r.err()).contains("FAILED").contains("genesis");
  }

  @Test
  void badInput_exitTwo_oneLineNamingTheOption() throws IOException {
    Path dir = chain();
    String store = dir.resolve("chain.mv").toString();
    Run missing =
        run(
            "ledger",
            "verify",
            "--store",
            tmp.resolve("nope.mv").toString(),
            "--genesis",
            dir.resolve("genesis.bin").toString());
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err().strip().lines().count()).isEqualTo(1);
    assertThat(missing.err()).contains("--store").contains("nope.mv");
    Path junk = Files.write(tmp.resolve("junk.bin"), new byte[] {1, 2, 3});
    Run bad = run("ledger", "verify", "--store", store, "--genesis", junk.toString());
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err())
        .contains("--genesis")
        .contains("junk.bin")
        .contains("not a GridTrade genesis");
    Run none = run("ledger");
    assertThat(none.exitCode()).isEqualTo(2);
    assertThat(none.err()).contains("verify");
    // Nothing was created beside the inputs.
    assertThat(Files.exists(tmp.resolve("nope.mv"))).isFalse();
  }
}
