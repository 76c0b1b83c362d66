package org.gridtrade.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.gridtrade.coalition.Shapley;
import org.gridtrade.coalition.ShapleyResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code gridtrade shapley}: Shapley values (and a core check) of a game given as a worth table.
 */
@Command(
    name = "shapley",
    mixinStandardHelpOptions = true,
    versionProvider = GridTradeCommand.Version.class,
    sortOptions = false,
    description = {
      "Computes the Shapley value of every player of a transferable-utility game given by a worth"
          + " table, exactly for up to "
          + ShapleyCommand.MAX_PLAYERS
          + " players, and says whether it lies in the core.",
      "Scenario: {\"players\": [\"A\", \"B\", \"C\"], \"worth\": {\"A\": 0, \"A,B\": 1,"
          + " \"A,B,C\": 2}}: coalitions keyed by comma-joined player ids in the order of"
          + " players; a missing coalition is worth 0. Output: {\"values\": {\"A\": ...}}."
    })
public final class ShapleyCommand implements Callable<Integer> {
  /**
   * The most players: the exact value and the core check visit all 2^n coalitions, so 20 players
   * take a second and 8 MiB where the library's limit of 25 would take half a minute and 256 MiB.
   */
  static final int MAX_PLAYERS = 20;

  @Spec CommandSpec spec;

  @Option(
      names = "--scenario",
      paramLabel = "FILE",
      required = true,
      description = "JSON game file (fields above).")
  Path scenario;

  @Mixin JsonOutput output;

  @Override
  public Integer call() throws IOException {
    List<String> players = new ArrayList<>();
    Map<Integer, Double> table = new HashMap<>();
    try {
      read(ScenarioJson.read(scenario), players, table);
    } catch (IllegalArgumentException e) {
      throw bad("--scenario %s: %s".formatted(scenario, e.getMessage()));
    }
    java.util.function.ToDoubleFunction<BitSet> worth =
        s -> table.getOrDefault(s.isEmpty() ? 0 : (int) s.toLongArray()[0], 0.0);
    ShapleyResult r = Shapley.exact(players.size(), worth);
    boolean core = Shapley.inCore(r.values(), worth, 1e-9);
    output.print(() -> toJson(players, r, core), () -> toText(players, r, core));
    return 0;
  }

  private static ObjectNode toJson(List<String> players, ShapleyResult r, boolean core) {
    ObjectNode root = new ObjectMapper().createObjectNode();
    ObjectNode v = root.putObject("values");
    for (int i = 0; i < players.size(); i++) {
      v.put(players.get(i), r.value(i));
    }
    root.put("inCore", core);
    return root;
  }

  private static String toText(List<String> players, ShapleyResult r, boolean core) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < players.size(); i++) {
      sb.append(String.format("%-12s %s%n", players.get(i), ScenarioJson.fmt(r.value(i), 6)));
    }
    sb.append("in the core: ").append(core).append(System.lineSeparator());
    return sb.toString();
  }

  static void read(JsonNode root, List<String> players, Map<Integer, Double> table) {
    JsonNode p = root.get("players");
    if (p == null || !p.isArray() || p.isEmpty()) {
      throw new IllegalArgumentException(
          "field 'players' is %s; it must be a non-empty array of ids"
              .formatted(ScenarioJson.abbreviate(p)));
    }
    if (p.size() > MAX_PLAYERS) {
      throw new IllegalArgumentException(
          "field 'players' has %d ids; at most %d".formatted(p.size(), MAX_PLAYERS));
    }
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < p.size(); i++) {
      JsonNode e = p.get(i);
      if (!e.isTextual()
          || e.asText().isBlank()
          || e.asText().contains(",")
          || e.asText().length() > ScenarioJson.MAX_TEXT_LENGTH) {
        throw new IllegalArgumentException(
            "'players[%d]' is %s; it must be a non-blank id without commas, at most %d characters"
                .formatted(i, ScenarioJson.abbreviate(e), ScenarioJson.MAX_TEXT_LENGTH));
      }
      if (index.putIfAbsent(e.asText(), i) != null) {
        throw new IllegalArgumentException(
            "'players[%d]' '%s' is a duplicate; ids must be unique".formatted(i, e.asText()));
      }
      players.add(e.asText());
    }
    JsonNode w = root.get("worth");
    if (w == null || !w.isObject()) {
      throw new IllegalArgumentException(
          "field 'worth' is %s; it must be an object of coalition: number"
              .formatted(ScenarioJson.abbreviate(w)));
    }
    for (Map.Entry<String, JsonNode> e : w.properties()) {
      String key = e.getKey();
      int mask = 0;
      int last = -1;
      Set<String> seen = new HashSet<>();
      for (String id : key.split(",", -1)) {
        Integer k = index.get(id.strip());
        if (k == null) {
          throw new IllegalArgumentException(
              "worth key '%s': '%s' is not in players".formatted(abbreviate(key), abbreviate(id)));
        }
        if (!seen.add(id.strip()) || k <= last) {
          throw new IllegalArgumentException(
              "worth key '%s': ids must be distinct and in the order of players"
                  .formatted(abbreviate(key)));
        }
        last = k;
        mask |= 1 << k;
      }
      JsonNode v = e.getValue();
      if (!v.isNumber() || !(Math.abs(v.asDouble()) <= Shapley.MAX_WORTH)) {
        throw new IllegalArgumentException(
            "worth '%s' is %s; it must be a number in [-%s, %s]"
                .formatted(
                    abbreviate(key),
                    ScenarioJson.abbreviate(v),
                    Shapley.MAX_WORTH,
                    Shapley.MAX_WORTH));
      }
      table.put(mask, v.asDouble());
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
