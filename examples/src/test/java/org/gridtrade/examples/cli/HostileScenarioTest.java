package org.gridtrade.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile scenario files against every scenario command, run in-process: each file is a sample
 * scenario with one mutation (a value of the wrong type, NaN/Infinity tokens, huge, tiny, negative
 * and overflowing numbers, a missing field, an empty or a 10^5-element array, a duplicated element
 * or key, trailing data, a second object, truncation, deep nesting, binary noise). Every run must
 * end within a bounded time with exit 0 and valid output (no NaN or Infinity), exit 2 and exactly
 * one line that names the option and, for a field mutation, the field; or, for the commands with an
 * iterative solver, exit 3 with valid output saying it did not converge. Never another status,
 * never a stack trace.
 *
 * <p>The CI run generates {@value #DEFAULT_FILES} files per command from a fixed seed; {@code
 * -Dgridtrade.hostile.files=N} generates more, {@code -Dgridtrade.hostile.seed=S} others.
 */
public class HostileScenarioTest {
  static final int DEFAULT_FILES = 50;

  private static final int FILES = Integer.getInteger("gridtrade.hostile.files", DEFAULT_FILES);
  private static final long SEED = Long.getLong("gridtrade.hostile.seed", 20261206L);
  private static final Duration HANG = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path SAMPLES = Path.of("scenarios");
  private static final String PLACEHOLDER = "@@hostile@@";

  /** Replacement values, as raw JSON text (some are not valid JSON on purpose). */
  private static final List<String> VALUES =
      List.of(
          "NaN",
          "Infinity",
          "-Infinity",
          "1e999",
          "-1e999",
          "1e300",
          "-1e300",
          "1e-300",
          "-1e-300",
          "0",
          "-0.0",
          "-1",
          "1e20",
          "9223372036854775808",
          "123456789012345678901234567890123456789012345678901234567890123456789",
          "\"12\"",
          "\"\"",
          "\" \"",
          "true",
          "null",
          "{}",
          "[]",
          "[1, \"x\", null]",
          "\"" + "x".repeat(100_000) + "\"");

  @TempDir Path tmp;

  /** A command and the sample scenarios its mutations start from. */
  private record Target(String command, List<String> samples, List<String> options) {}

  private static Target target(String command) {
    return switch (command) {
      case "auction" ->
          new Target(
              command,
              List.of(
                  "reverse-second-price.json",
                  "double-uniform.json",
                  "double-mcafee.json",
                  "double-pay-as-bid.json"),
              List.of());
      case "dr-auction" ->
          new Target(command, List.of("dr-small.json"), List.of("--time-limit", "2"));
      case "stackelberg" ->
          new Target(command, List.of("stackelberg-24.json"), List.of("--config", "thesis"));
      case "best-response" ->
          new Target(command, List.of("stackelberg-best-response.json"), List.of());
      case "coalition" -> new Target(command, List.of("coalition-10.json"), List.of());
      case "shapley" -> new Target(command, List.of("shapley-gloves.json"), List.of());
      default -> throw new IllegalArgumentException(command);
    };
  }

  /** One generated file: its text, what was done, and the field it targets (or null). */
  private record Mutant(String text, String what, String field) {}

  @ParameterizedTest
  @ValueSource(
      strings = {"auction", "dr-auction", "stackelberg", "best-response", "coalition", "shapley"})
  void command_hostileScenarios_exit0Or2OneLineNamingTheField(String command) throws IOException {
    Target t = target(command);
    // a different but fixed stream per command, so adding a command changes no other's files
    Random random = new Random(SEED ^ command.hashCode());
    // stackelberg runs its genetic algorithm on every accepted file: fewer files keep CI short
    int files = command.equals("stackelberg") ? Math.max(1, FILES / 2) : FILES;
    int[] byStatus = new int[4];
    for (int k = 0; k < files; k++) {
      String sample = t.samples().get(random.nextInt(t.samples().size()));
      Mutant m = mutate(Files.readString(SAMPLES.resolve(sample)), random);
      Path file = tmp.resolve("%s-%03d.json".formatted(command, k));
      Files.writeString(file, m.text(), StandardCharsets.UTF_8);
      Cli r =
          check(t, file, "%s #%d from %s: %s".formatted(command, k, sample, m.what()), m.field());
      byStatus[r.exitCode()]++;
      Files.delete(file);
    }
    System.out.printf(
        "%s: %d hostile files, exit 0: %d, exit 2: %d, exit 3: %d%n",
        command, files, byStatus[0], byStatus[2], byStatus[3]);
    // the generator must reach both sides: files the command accepts and files it refuses
    assertThat(byStatus[0] + byStatus[3]).as("accepted").isPositive();
    assertThat(byStatus[2]).as("refused").isPositive();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"auction", "dr-auction", "stackelberg", "best-response", "coalition", "shapley"})
  void command_endlessInput_refusedWithinTheSizeLimit(String command) {
    Path zero = Path.of("/dev/zero");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(zero), "no /dev/zero here");
    Cli r = check(target(command), zero, command + " on /dev/zero", null);
    assertThat(r.errorLine()).contains("larger than").contains("16 MiB");
  }

  @Test
  void read_streamThatNeverEnds_failsFastNamingTheLimit() {
    InputStream endless =
        new InputStream() {
          @Override
          public int read() {
            return '[';
          }

          @Override
          public int read(byte[] b, int off, int len) {
            java.util.Arrays.fill(b, off, off + len, (byte) ' ');
            return len;
          }
        };

    assertTimeoutPreemptively(
        HANG,
        () ->
            assertThatThrownBy(() -> ScenarioJson.read(endless))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("larger than " + ScenarioJson.MAX_BYTES + " bytes"));
  }

  @Test
  void read_strictJson_refusesWhatLenientParsingAccepts() throws IOException {
    String[][] cases = {
      {"{\"a\": 1} {\"a\": 2}", "more data after the JSON object"},
      {"{\"a\": 1} x", "not valid JSON"},
      {"{\"a\": 1, \"a\": 2}", "Duplicate field 'a'"},
      {"{\"a\": NaN}", "NaN"},
      {"{\"a\": [" + "[".repeat(100) + "]}", "nesting depth"},
      {"", "no JSON value"},
      {"[1]", "it must hold one JSON object"},
    };
    for (String[] c : cases) {
      assertThatThrownBy(() -> ScenarioJson.read(new java.io.ByteArrayInputStream(c[0].getBytes())))
          .as(c[0])
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(c[1]);
    }
    assertThat(ScenarioJson.read(new java.io.ByteArrayInputStream("{\"a\": 1}".getBytes())))
        .hasSize(1);
  }

  private static Cli check(Target t, Path file, String what, String field) {
    List<String> args = new ArrayList<>(List.of(t.command(), "--scenario", file.toString()));
    boolean json = !what.contains("#") || what.hashCode() % 2 == 0;
    if (json) {
      args.add("--json");
    }
    args.addAll(t.options());
    Cli r = assertTimeoutPreemptively(HANG, () -> Cli.run(args.toArray(String[]::new)), what);
    String context = what + "\nstdout: " + abbreviate(r.out()) + "\nstderr: " + r.err();
    assertThat(r.err()).as(context).doesNotContain("\tat ").doesNotContain("Exception:");
    switch (r.exitCode()) {
      case 0 -> {
        assertThat(r.err()).as(context).isEmpty();
        assertFiniteOutput(r, json, context);
      }
      case 2 -> {
        assertThat(r.err().lines()).as(context).hasSize(1);
        String line = r.errorLine();
        assertThat(line)
            .as(context)
            .startsWith("gridtrade %s: --scenario %s: ".formatted(t.command(), file));
        if (field != null) {
          assertThat(line).as(context).contains(field);
        }
      }
      case 3 -> {
        assertThat(t.command()).as(context).isIn("dr-auction", "coalition");
        assertFiniteOutput(r, json, context);
        if (json) {
          JsonNode out = one(r.out(), context);
          assertThat(
                  out.path("converged").asBoolean(true)
                      && out.path("optimumConverged").asBoolean(true))
              .as(context)
              .isFalse();
        } else {
          assertThat(r.out()).as(context).contains("NOT converged");
        }
      }
      default -> fail("exit %d: %s", r.exitCode(), context);
    }
    return r;
  }

  private static void assertFiniteOutput(Cli r, boolean json, String context) {
    assertThat(r.out()).as(context).isNotBlank().doesNotContain("NaN").doesNotContain("Infinity");
    if (json) {
      one(r.out(), context);
    }
  }

  private static JsonNode one(String out, String context) {
    try (MappingIterator<JsonNode> values = JSON.readerFor(JsonNode.class).readValues(out)) {
      List<JsonNode> all = values.readAll();
      assertThat(all).as(context).hasSize(1);
      assertThat(all.get(0).isObject()).as(context).isTrue();
      return all.get(0);
    } catch (IOException e) {
      throw new AssertionError(context, e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The generator

  private static Mutant mutate(String sample, Random random) throws IOException {
    int kind = random.nextInt(100);
    if (kind < 15) {
      return raw(sample, random);
    }
    JsonNode root = JSON.readTree(sample);
    List<Slot> slots = new ArrayList<>();
    collect(root, "", slots);
    Slot s = slots.get(random.nextInt(slots.size()));
    if (kind < 45) {
      String value = VALUES.get(random.nextInt(VALUES.size()));
      s.set(TextNode.valueOf(PLACEHOLDER));
      String text = JSON.writeValueAsString(root).replace("\"" + PLACEHOLDER + "\"", value);
      return new Mutant(text, "%s := %s".formatted(s.path, abbreviate(value)), s.key);
    }
    if (kind < 65 && s.node().isNumber()) {
      // scale by a power of ten: keeps the type, reaches each range's edges and beyond
      double v = s.node().asDouble() == 0 ? 1 : s.node().asDouble();
      double scaled =
          v * Math.pow(10, random.nextInt(601) - 300) * (random.nextInt(4) == 0 ? -1 : 1);
      s.set(JSON.getNodeFactory().numberNode(scaled));
      return new Mutant(JSON.writeValueAsString(root), "%s := %s".formatted(s.path, scaled), s.key);
    }
    if (kind < 75) {
      if (s.parent instanceof ObjectNode o) {
        o.remove(s.key);
        return new Mutant(JSON.writeValueAsString(root), "remove " + s.path, s.key);
      }
      ((ArrayNode) s.parent).remove(s.index);
      return new Mutant(JSON.writeValueAsString(root), "remove " + s.path, s.key);
    }
    List<Slot> arrays =
        slots.stream().filter(x -> x.node().isArray() && !x.node().isEmpty()).toList();
    if (arrays.isEmpty()) {
      return raw(sample, random);
    }
    Slot a = arrays.get(random.nextInt(arrays.size()));
    ArrayNode array = (ArrayNode) a.node();
    if (kind < 82) {
      array.removeAll();
      return new Mutant(JSON.writeValueAsString(root), "empty " + a.path, a.key);
    }
    if (kind < 92) {
      // a duplicated element: duplicate ids, or one value too many
      array.add(array.get(random.nextInt(array.size())).deepCopy());
      // the library names the repeated id rather than the array
      return new Mutant(
          JSON.writeValueAsString(root),
          "duplicate an element of " + a.path,
          array.get(0).isObject() ? "id" : a.key);
    }
    JsonNode first = array.get(0);
    for (int i = array.size(); i < 100_000; i++) {
      JsonNode copy = first.deepCopy();
      if (copy instanceof ObjectNode o && o.has("id")) {
        o.put("id", "n" + i); // distinct ids: the length is what is tested
      }
      array.add(copy);
    }
    return new Mutant(JSON.writeValueAsString(root), "10^5 elements in " + a.path, a.key);
  }

  /** Mutations of the text itself; none targets a field. */
  private static Mutant raw(String sample, Random random) {
    String compact = sample.strip();
    return switch (random.nextInt(10)) {
      case 0 -> new Mutant(compact + " garbage", "trailing garbage", null);
      case 1 -> new Mutant(compact + "\n" + compact, "two objects", null);
      case 2 -> new Mutant(compact + "}", "an extra brace", null);
      case 3 -> {
        int cut = 1 + random.nextInt(compact.length() - 1);
        yield new Mutant(compact.substring(0, cut), "truncated at " + cut, null);
      }
      case 4 -> new Mutant("", "empty file", null);
      case 5 -> new Mutant("[".repeat(100_000), "deep nesting", null);
      case 6 -> {
        byte[] noise = new byte[1 + random.nextInt(2000)];
        random.nextBytes(noise);
        yield new Mutant(new String(noise, StandardCharsets.ISO_8859_1), "binary noise", null);
      }
      case 7 -> {
        // a key repeated in the top-level object
        int brace = compact.indexOf('{');
        int quote = compact.indexOf('"', brace);
        int end = compact.indexOf('"', quote + 1);
        String key = compact.substring(quote, end + 1);
        yield new Mutant(
            compact.substring(0, brace + 1) + key + ": 1, " + compact.substring(brace + 1),
            "duplicate key " + key,
            null);
      }
      case 8 -> new Mutant("\"a string\"", "a string, not an object", null);
      default ->
          // the first number value (not a digit inside a string such as an id) becomes NaN
          new Mutant(
              compact.replaceFirst(
                  "(?<=[:\\[,] ?)-?\\d+(\\.\\d+)?([eE][+-]?\\d+)?(?=[,\\]}\\s])", "NaN"),
              "a NaN token",
              null);
    };
  }

  /** A place in the tree: a field of an object or an element of an array. */
  private record Slot(ContainerNode<?> parent, String key, int index, String path) {
    JsonNode node() {
      return parent instanceof ObjectNode o ? o.get(key) : ((ArrayNode) parent).get(index);
    }

    void set(JsonNode value) {
      if (parent instanceof ObjectNode o) {
        o.set(key, value);
      } else {
        ((ArrayNode) parent).set(index, value);
      }
    }
  }

  private static void collect(JsonNode node, String path, List<Slot> out) {
    if (node instanceof ObjectNode o) {
      for (Map.Entry<String, JsonNode> e : new ArrayList<>(o.properties())) {
        String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
        out.add(new Slot(o, e.getKey(), -1, p));
        collect(e.getValue(), p, out);
      }
    } else if (node instanceof ArrayNode a) {
      // an element is named by its array's key: messages say "evs[2]" or "prices[3]"
      String key = path.substring(path.lastIndexOf('.') + 1).replaceAll("\\[\\d+]$", "");
      for (int i = 0; i < a.size(); i++) {
        String p = "%s[%d]".formatted(path, i);
        out.add(new Slot(a, key, i, p));
        collect(a.get(i), p, out);
      }
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 300 ? s : s.substring(0, 297) + "...";
  }
}
