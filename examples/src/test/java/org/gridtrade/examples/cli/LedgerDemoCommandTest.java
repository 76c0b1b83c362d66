package org.gridtrade.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Keystore;
import org.gridtrade.ledger.KeystoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

public class LedgerDemoCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private record Run(int exitCode, String out, String err) {
    List<String> errLines() {
      return err.lines().toList();
    }
  }

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = GridTradeCommand.configure(new CommandLine(new GridTradeCommand()));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  // Exactly one JSON value, and it is an object.
  private static JsonNode onlyJsonObject(String text) throws IOException {
    try (MappingIterator<JsonNode> values = JSON.readerFor(JsonNode.class).readValues(text)) {
      List<JsonNode> all = values.readAll();
      assertThat(all).hasSize(1);
      assertThat(all.get(0).isObject()).isTrue();
      return all.get(0);
    }
  }

  private JsonNode demo(String dir, String... extra) throws IOException {
    String[] args =
        Stream.concat(
                Stream.of(
                    "ledger-demo",
                    "--json",
                    "--out",
                    tmp.resolve(dir).toString(),
                    "--traders",
                    "4",
                    "--hours",
                    "3"),
                Stream.of(extra))
            .toArray(String[]::new);
    Run r = run(args);
    assertThat(r.exitCode()).as(r.err()).isZero();
    return onlyJsonObject(r.out());
  }

  @Test
  void ledgerDemo_json_reportsVerifiedChainAndTradeProof() throws IOException, KeystoreException {
    JsonNode j = demo("a");

    assertThat(j.get("command").asText()).isEqualTo("ledger-demo");
    assertThat(j.get("traders").asInt()).isEqualTo(4);
    assertThat(j.get("blocks").asLong()).isEqualTo(3);
    assertThat(j.get("verified").asBoolean()).isTrue();
    assertThat(j.at("/verification/valid").asBoolean()).isTrue();
    assertThat(j.at("/verification/blocks").asLong()).isEqualTo(4); // with genesis
    assertThat(j.at("/verification/transactions").asLong())
        .isEqualTo(j.get("transactions").asLong())
        .isPositive();
    assertThat(j.at("/transactionsByType/EnergyTrade").asLong()).isPositive();
    assertThat(j.at("/transactionsByType/MeterReading").asLong()).isPositive();
    assertThat(j.at("/transactionsByType/DemandResponseSettlement").asLong()).isPositive();
    assertThat(j.get("tipHash").asText()).matches("[0-9a-f]{64}");
    assertThat(j.get("stateRoot").asText()).matches("[0-9a-f]{64}");
    assertThat(j.get("totalSupplyAfter").asLong())
        .isEqualTo(j.get("totalSupplyBefore").asLong())
        .isPositive();
    assertThat(j.at("/store/sizeBytes").asLong()).isPositive();
    assertThat(j.at("/rejectedSubmissions/total").asLong())
        .isEqualTo(j.at("/rejectedSubmissions/deliberate").asLong())
        .isEqualTo(5);
    assertThat(j.at("/rejectedSubmissions/byReason").fieldNames())
        .toIterable()
        .containsExactlyInAnyOrder(
            "BAD_SIGNATURE", "WRONG_CHAIN", "NONCE_REPLAY", "UNAUTHORIZED", "DUPLICATE");

    JsonNode proof = j.get("proof");
    assertThat(proof.get("verified").asBoolean()).isTrue();
    assertThat(proof.get("tamperedRejected").asBoolean()).isTrue();
    assertThat(proof.get("txId").asText()).matches("[0-9a-f]{64}");
    assertThat(proof.get("transactionsRoot").asText()).matches("[0-9a-f]{64}");
    assertThat(proof.get("blockHeight").asLong()).isBetween(1L, 3L);
    assertThat(proof.get("txIndex").asLong()).isLessThan(proof.get("treeSize").asLong());
    assertThat(proof.get("auditPathLength").asInt()).isPositive();
    assertThat(proof.get("market").asText()).startsWith("double-auction/2026-11-21T0");

    Path out = tmp.resolve("a");
    assertThat(out.resolve("chain.mv")).isRegularFile();
    try (var wallets = Files.list(out.resolve("wallets"))) {
      assertThat(wallets.count()).isEqualTo(j.at("/wallets/count").asLong()).isEqualTo(4 + 3);
    }
    KeyPair operator =
        Keystore.read(
            out.resolve("wallets/market-operator.key"),
            j.at("/wallets/password").asText().toCharArray());
    assertThat(operator.address().toString()).isEqualTo(j.get("operator").asText());
  }

  @Test
  void ledgerDemo_sameSeed_sameTipHashInAnotherDirectory() throws IOException {
    JsonNode first = demo("one", "--seed", "7");
    JsonNode second = demo("two", "--seed", "7");
    JsonNode otherSeed = demo("three", "--seed", "8");

    assertThat(second.get("tipHash")).isEqualTo(first.get("tipHash"));
    assertThat(second.get("stateRoot")).isEqualTo(first.get("stateRoot"));
    assertThat(otherSeed.get("tipHash")).isNotEqualTo(first.get("tipHash"));
  }

  @Test
  void ledgerDemo_text_saysTheProofVerifiesAgainstTheRoot() {
    Run r =
        run(
            "ledger-demo",
            "--out",
            tmp.resolve("text").toString(),
            "--traders",
            "2",
            "--hours",
            "1");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("verified against the header alone: true")
        .contains("conserved")
        .contains("gridtrade-demo-1");
  }

  @Test
  void ledgerDemo_tooFewTraders_exits2WithOneLineNamingTheOption() {
    Run r = run("ledger-demo", "--traders", "1", "--out", tmp.resolve("x").toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.errLines()).singleElement().asString().contains("--traders").contains("2..1000");
    assertThat(tmp.resolve("x")).doesNotExist();
  }

  @Test
  void ledgerDemo_hoursOutOfRange_exits2WithOneLine() {
    Run r = run("ledger-demo", "--hours", "169");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errLines()).singleElement().asString().contains("--hours").contains("1..168");
  }

  @Test
  void ledgerDemo_unknownOption_exits2WithOneLine() {
    Run r = run("ledger-demo", "--bogus");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.errLines()).singleElement().asString().contains("--bogus");
  }

  @Test
  void ledgerDemo_notANumber_exits2WithOneLine() {
    Run r = run("ledger-demo", "--seed", "one");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errLines()).singleElement().asString().contains("--seed").contains("one");
  }

  @Test
  void ledgerDemo_nonEmptyOut_exits2WithOneLine() throws IOException {
    Files.writeString(tmp.resolve("keep.txt"), "mine");

    Run r = run("ledger-demo", "--out", tmp.toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errLines()).singleElement().asString().contains("--out").contains("not empty");
  }

  @Test
  void gridtrade_withoutCommand_exits2WithOneLine() {
    Run r = run();

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errLines()).singleElement().asString().contains("ledger-demo");
  }

  @Test
  void gridtrade_helpAndVersion_exit0() {
    Run help = run("--help");
    Run version = run("--version");

    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("ledger-demo");
    assertThat(version.exitCode()).isZero();
    assertThat(version.out()).startsWith("gridtrade ");
  }
}
