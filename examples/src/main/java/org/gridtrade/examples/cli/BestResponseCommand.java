package org.gridtrade.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.gridtrade.game.stackelberg.FollowerBestResponse;
import org.gridtrade.game.stackelberg.Schedule;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code gridtrade best-response}: one EV's cheapest schedule for given prices. */
@Command(
    name = "best-response",
    mixinStandardHelpOptions = true,
    versionProvider = GridTradeCommand.Version.class,
    sortOptions = false,
    description = {
      "Computes one EV's exact cost-minimising charging schedule (Aggarwal Alg. 2) for 24 given"
          + " hourly prices. Input: {\"prices\": [24 numbers], \"ev\": {\"id\", \"start\","
          + " \"end\", \"energy\", \"alphaMin\", \"alphaMax\"}}, hour 0 = 08:00, end inclusive."
    })
public final class BestResponseCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--scenario", paramLabel = "FILE", required = true, description = "Input JSON.")
  Path scenario;

  @Mixin JsonOutput output;

  @Override
  public Integer call() throws IOException {
    Schedule s;
    try {
      StackelbergScenario.BestResponseInput in = StackelbergScenario.readBestResponse(scenario);
      s = FollowerBestResponse.respond(in.ev(), in.prices());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(), "--scenario %s: %s".formatted(scenario, e.getMessage()));
    }
    output.print(() -> toJson(s), () -> toText(s));
    return 0;
  }

  private static ObjectNode toJson(Schedule s) {
    ObjectNode root = new ObjectMapper().createObjectNode();
    root.put("command", "best-response");
    root.put("id", s.evId());
    s.energy().forEach(root.putArray("schedule")::add);
    root.put("cost", s.bill());
    return root;
  }

  private static String toText(Schedule s) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "EV %s: cost %.4f c%n", s.evId(), s.bill()));
    for (int h = 0; h < s.energy().size(); h++) {
      if (s.energy().get(h) != 0) {
        int clock = (h + 8) % 24;
        sb.append(
            String.format(
                Locale.ROOT,
                "  %02d:00-%02d:00  %.4f kWh%n",
                clock,
                (clock + 1) % 24,
                s.energy().get(h)));
      }
    }
    return sb.toString();
  }
}
