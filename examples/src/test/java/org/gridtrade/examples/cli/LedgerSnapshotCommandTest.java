package org.gridtrade.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code gridtrade ledger snapshot} and {@code gridtrade ledger restore}. */
public class LedgerSnapshotCommandTest {
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

  private JsonNode verify(Path store, Path genesis) throws IOException {
    Run r =
        run(
            "ledger",
            "verify",
            "--store",
            store.toString(),
            "--genesis",
            genesis.toString(),
            "--all",
            "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    return new ObjectMapper().readTree(r.out());
  }

  @Test
  void snapshotThenRestore_givesANewStoreWithTheSameStateThatVerifies() throws IOException {
    Path dir = tmp.resolve("chain");
    Run demo =
        run("ledger-demo", "--json", "--out", dir.toString(), "--traders", "4", "--hours", "6");
    assertThat(demo.exitCode()).as(demo.err()).isZero();
    Path store = dir.resolve("chain.mv");
    Path genesis = dir.resolve("genesis.bin");
    JsonNode original = verify(store, genesis);

    Path snap = tmp.resolve("state.snap");
    Run s =
        run(
            "ledger",
            "snapshot",
            "--store",
            store.toString(),
            "--genesis",
            genesis.toString(),
            "--out",
            snap.toString());
    assertThat(s.exitCode()).as(s.err()).isZero();
    assertThat(s.out()).contains("height 6").contains("keys");

    Path restored = tmp.resolve("restored.mv");
    Run bad =
        run(
            "ledger",
            "restore",
            "--genesis",
            genesis.toString(),
            "--blocks-from",
            store.toString(),
            "--trusted-hash",
            "00".repeat(32),
            "--snapshot",
            snap.toString(),
            "--store",
            restored.toString());
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err().strip().lines().count()).isEqualTo(1);
    assertThat(bad.err()).contains("trusted head").doesNotContain("Exception");
    assertThat(restored).doesNotExist();

    Run r =
        run(
            "ledger",
            "restore",
            "--genesis",
            genesis.toString(),
            "--blocks-from",
            store.toString(),
            "--trusted-hash",
            original.get("head").asText(),
            "--snapshot",
            snap.toString(),
            "--store",
            restored.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("restored        height 6");
    JsonNode again = verify(restored, genesis);
    assertThat(again.get("stateRoot").asText()).isEqualTo(original.get("stateRoot").asText());
    assertThat(again.get("verifiedBlocks").asLong()).isEqualTo(7);
  }

  @Test
  void snapshot_ofAHeightAboveTheHead_isBadInput_exitTwo() throws IOException {
    Path dir = tmp.resolve("chain");
    assertThat(
            run("ledger-demo", "--out", dir.toString(), "--traders", "4", "--hours", "2")
                .exitCode())
        .isZero();
    Path out = tmp.resolve("x.snap");
    Run r =
        run(
            "ledger",
            "snapshot",
            "--store",
            dir.resolve("chain.mv").toString(),
            "--genesis",
            dir.resolve("genesis.bin").toString(),
            "--height",
            "99",
            "--out",
            out.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--height 99").doesNotContain("Exception");
    assertThat(Files.exists(out)).isFalse();
  }
}
