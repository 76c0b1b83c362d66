package org.gridtrade.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import picocli.CommandLine;

/** Runs {@code gridtrade} in-process and captures its output, for command tests. */
public record Cli(int exitCode, String out, String err) {
  private static final ObjectMapper JSON = new ObjectMapper();

  static Cli run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = GridTradeCommand.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Cli(code, out.toString(), err.toString());
  }

  /** The output, which must be exactly one JSON object. */
  JsonNode json() {
    try (MappingIterator<JsonNode> values = JSON.readerFor(JsonNode.class).readValues(out)) {
      List<JsonNode> all = values.readAll();
      assertThat(all).as(err).hasSize(1);
      assertThat(all.get(0).isObject()).isTrue();
      return all.get(0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The one line on stderr of a refused command. */
  String errorLine() {
    List<String> lines = err.lines().toList();
    assertThat(lines).as(err).hasSize(1);
    return lines.get(0);
  }
}
