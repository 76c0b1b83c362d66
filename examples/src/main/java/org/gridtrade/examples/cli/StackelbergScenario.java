package org.gridtrade.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.gridtrade.game.stackelberg.Ev;
import org.gridtrade.game.stackelberg.GenerationCost;
import org.gridtrade.game.stackelberg.PriceBounds;
import org.gridtrade.game.stackelberg.SpBid;

/**
 * Reads the PETS scenario and best-response JSON files through {@link ScenarioJson}, so problems
 * are reported with the field's JSON path and fields not listed here are ignored.
 *
 * <p>Scenario: {@code {"pMin": 8, "pMax": 14, "costQuadratic": [24], "costLinear": [24],
 * "costConstant": [24], "capacity": [24], "evs": [{"id", "start", "end", "energy", "alphaMin",
 * "alphaMax"}], "seed": 1, "bids": [{"id", "price"}]}}. Hours 0–23 with 0 = 08:00, {@code end}
 * inclusive. {@code pMin}/{@code pMax} default to Aggarwal's 8/14, the four cost lists to
 * Aggarwal's cost model with unlimited capacity, {@code seed} to 1; {@code bids} is optional (no
 * election: the cap is {@code pMax}).
 */
public final class StackelbergScenario {
  /** The most sealed bids in a scenario. */
  static final int MAX_BIDS = 10_000;

  /** The most EVs in a scenario file (--random-evs allows more). */
  static final int MAX_EVS = 10_000;

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

  static StackelbergScenario read(Path file) {
    JsonNode root = ScenarioJson.read(file);
    PriceBounds bounds =
        new PriceBounds(
            ScenarioJson.number(root, "", "pMin", 8), ScenarioJson.number(root, "", "pMax", 14));
    GenerationCost thesisCost = GenerationCost.thesisDefaults();
    GenerationCost cost =
        new GenerationCost(
            list(root, "costQuadratic", thesisCost.quadratic()),
            list(root, "costLinear", thesisCost.linear()),
            list(root, "costConstant", thesisCost.constant()),
            list(root, "capacity", thesisCost.capacity()));
    List<Ev> evs = ScenarioJson.objects(root, "", "evs", MAX_EVS, StackelbergScenario::ev);
    long seed =
        ScenarioJson.has(root, "seed")
            ? ScenarioJson.integer(root, "", "seed", Long.MIN_VALUE, Long.MAX_VALUE)
            : 1;
    List<SpBid> bids =
        ScenarioJson.has(root, "bids")
            ? ScenarioJson.objects(
                root,
                "",
                "bids",
                MAX_BIDS,
                (b, at) ->
                    new SpBid(ScenarioJson.text(b, at, "id"), ScenarioJson.number(b, at, "price")))
            : List.of();
    return new StackelbergScenario(bounds, cost, List.copyOf(evs), seed, List.copyOf(bids));
  }

  /** A best-response file: {@code {"prices": [24], "ev": {...}}}. */
  record BestResponseInput(List<Double> prices, Ev ev) {}

  static BestResponseInput readBestResponse(Path file) {
    JsonNode root = ScenarioJson.read(file);
    JsonNode ev = root.get("ev");
    if (ev == null || !ev.isObject()) {
      throw new IllegalArgumentException(
          "field 'ev' is %s; it must be an EV object".formatted(ScenarioJson.abbreviate(ev)));
    }
    return new BestResponseInput(list(root, "prices", null), ev(ev, "ev"));
  }

  static Ev ev(JsonNode e, String at) {
    return new Ev(
        ScenarioJson.text(e, at, "id"),
        (int) ScenarioJson.integer(e, at, "start", Integer.MIN_VALUE, Integer.MAX_VALUE),
        (int) ScenarioJson.integer(e, at, "end", Integer.MIN_VALUE, Integer.MAX_VALUE),
        ScenarioJson.number(e, at, "energy"),
        ScenarioJson.number(e, at, "alphaMin"),
        ScenarioJson.number(e, at, "alphaMax"));
  }

  private static List<Double> list(JsonNode root, String field, List<Double> fallback) {
    JsonNode v = root.get(field);
    if ((v == null || v.isNull()) && fallback != null) {
      return fallback;
    }
    return ScenarioJson.numbers(root, "", field, Ev.HOURS);
  }
}
