package org.gridtrade.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.gridtrade.game.stackelberg.Ev;
import org.gridtrade.game.stackelberg.GenerationCost;
import org.gridtrade.game.stackelberg.PriceBounds;
import org.gridtrade.game.stackelberg.SpBid;

/**
 * Reads the PETS scenario and best-response JSON files.
 *
 * <p>Scenario: {@code {"pMin": 8, "pMax": 14, "costQuadratic": [24], "costLinear": [24],
 * "costConstant": [24], "capacity": [24], "evs": [{"id", "start", "end", "energy", "alphaMin",
 * "alphaMax"}], "seed": 1, "bids": [{"id", "price"}]}}. Hours 0–23 with 0 = 08:00, {@code end}
 * inclusive. {@code pMin}/{@code pMax} default to the seed's 8/14, the four cost lists to the
 * seed's cost model with unlimited capacity, {@code seed} to 1; {@code bids} is optional (no
 * election: the cap is {@code pMax}). Unknown fields are errors.
 */
final class StackelbergScenario {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> SCENARIO_FIELDS =
      Set.of(
          "pMin",
          "pMax",
          "costQuadratic",
          "costLinear",
          "costConstant",
          "capacity",
          "evs",
          "seed",
          "bids");
  private static final Set<String> EV_FIELDS =
      Set.of("id", "start", "end", "energy", "alphaMin", "alphaMax");

  final PriceBounds bounds;
  final GenerationCost cost;
  final List<Ev> evs;
  final long seed;
  final List<SpBid> bids;

  private StackelbergScenario(
      PriceBounds bounds, GenerationCost cost, List<Ev> evs, long seed, List<SpBid> bids) {
    this.bounds = bounds;
    this.cost = cost;
    this.evs = evs;
    this.seed = seed;
    this.bids = bids;
  }

  static StackelbergScenario read(Path file) throws IOException {
    JsonNode root = JSON.readTree(file.toFile());
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("scenario must be a JSON object");
    }
    checkFields(root, SCENARIO_FIELDS, "scenario");
    double pMin = root.has("pMin") ? number(root, "pMin") : 8;
    double pMax = root.has("pMax") ? number(root, "pMax") : 14;
    PriceBounds bounds = new PriceBounds(pMin, pMax);
    GenerationCost seedCost = GenerationCost.seed();
    GenerationCost cost =
        new GenerationCost(
            list(root, "costQuadratic", seedCost.quadratic()),
            list(root, "costLinear", seedCost.linear()),
            list(root, "costConstant", seedCost.constant()),
            list(root, "capacity", seedCost.capacity()));
    JsonNode evNode = root.get("evs");
    if (evNode == null || !evNode.isArray()) {
      throw new IllegalArgumentException("scenario: \"evs\" must be an array of EVs");
    }
    List<Ev> evs = new ArrayList<>();
    for (JsonNode e : evNode) {
      evs.add(ev(e));
    }
    long seed = root.has("seed") ? root.get("seed").asLong() : 1;
    List<SpBid> bids = new ArrayList<>();
    if (root.has("bids")) {
      for (JsonNode b : root.get("bids")) {
        checkFields(b, Set.of("id", "price"), "bid");
        bids.add(new SpBid(text(b, "id"), number(b, "price")));
      }
    }
    return new StackelbergScenario(bounds, cost, List.copyOf(evs), seed, List.copyOf(bids));
  }

  /** A best-response file: {@code {"prices": [24], "ev": {...}}}. */
  record BestResponseInput(List<Double> prices, Ev ev) {}

  static BestResponseInput readBestResponse(Path file) throws IOException {
    JsonNode root = JSON.readTree(file.toFile());
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("best-response input must be a JSON object");
    }
    checkFields(root, Set.of("prices", "ev"), "best-response input");
    if (!root.has("prices") || !root.has("ev")) {
      throw new IllegalArgumentException("best-response input needs \"prices\" and \"ev\"");
    }
    return new BestResponseInput(list(root, "prices", null), ev(root.get("ev")));
  }

  static Ev ev(JsonNode e) {
    checkFields(e, EV_FIELDS, "ev");
    for (String f : EV_FIELDS) {
      if (!e.has(f)) {
        throw new IllegalArgumentException("ev %s: missing field \"%s\"".formatted(e, f));
      }
    }
    return new Ev(
        text(e, "id"),
        integer(e, "start"),
        integer(e, "end"),
        number(e, "energy"),
        number(e, "alphaMin"),
        number(e, "alphaMax"));
  }

  private static void checkFields(JsonNode node, Set<String> allowed, String what) {
    if (!node.isObject()) {
      throw new IllegalArgumentException("%s must be a JSON object, got %s".formatted(what, node));
    }
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String n = names.next();
      if (!allowed.contains(n)) {
        throw new IllegalArgumentException(
            "%s: unknown field \"%s\" (allowed: %s)".formatted(what, n, allowed));
      }
    }
  }

  private static double number(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || !v.isNumber()) {
      throw new IllegalArgumentException("\"%s\" must be a number, got %s".formatted(field, v));
    }
    return v.asDouble();
  }

  private static int integer(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
      throw new IllegalArgumentException(
          "\"%s\" must be an integer hour index, got %s".formatted(field, v));
    }
    return v.asInt();
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("\"%s\" must be a string, got %s".formatted(field, v));
    }
    return v.asText();
  }

  private static List<Double> list(JsonNode root, String field, List<Double> fallback) {
    JsonNode v = root.get(field);
    if (v == null) {
      if (fallback == null) {
        throw new IllegalArgumentException("\"%s\" is required".formatted(field));
      }
      return fallback;
    }
    if (!v.isArray()) {
      throw new IllegalArgumentException("\"%s\" must be an array of 24 numbers".formatted(field));
    }
    List<Double> out = new ArrayList<>();
    for (JsonNode x : v) {
      if (!x.isNumber()) {
        throw new IllegalArgumentException(
            "\"%s\" must hold numbers only, got %s".formatted(field, x));
      }
      out.add(x.asDouble());
    }
    return out;
  }
}
