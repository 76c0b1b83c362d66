package org.gridtrade.examples.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code --json} option every result-printing command shares, with the printing that goes with
 * it: given {@code --json}, the command prints its result as one indented JSON object; otherwise as
 * text. A command takes the option with {@code @Mixin JsonOutput output;} and prints its result
 * with {@link #print}.
 */
final class JsonOutput {
  private static final ObjectMapper INDENTED =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** The command using this option; its standard output is where the result goes. */
  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(names = "--json", description = "Print one JSON object instead of text.")
  boolean json;

  /**
   * Whether {@code --json} was given, for a command that writes its JSON itself.
   *
   * @return true with {@code --json}
   */
  boolean requested() {
    return json;
  }

  /**
   * Prints a command's result on its standard output and flushes it. Only the form asked for is
   * built.
   *
   * @param json the result as JSON, printed indented and followed by a line separator
   * @param text the result as text, printed exactly as given (it carries its own line ends)
   * @throws JsonProcessingException if the JSON cannot be written
   */
  void print(Supplier<? extends JsonNode> json, Supplier<String> text)
      throws JsonProcessingException {
    PrintWriter out = command.commandLine().getOut();
    if (this.json) {
      out.println(INDENTED.writeValueAsString(json.get()));
    } else {
      out.print(text.get());
    }
    out.flush();
  }
}
