package com.example.consumer;

import java.util.Locale;
import org.gridtrade.coalition.Area;
import org.gridtrade.coalition.CoalitionFormation;
import org.gridtrade.coalition.Community;
import org.gridtrade.coalition.FormationResult;
import org.gridtrade.coalition.ProfileGenerator;

/** Coalition formation of 30 generated prosumers. */
public final class CoalitionProgram {
  private CoalitionProgram() {}

  /**
   * Runs the program.
   *
   * @return the formation result
   */
  public static FormationResult run() {
    Area area = Area.square(20);
    Community community =
        Community.of(
            area,
            ProfileGenerator.thesisDefaults()
                .generate(30, ProfileGenerator.Distribution.UNIFORM, area, 11));
    return CoalitionFormation.builder().build().form(community);
  }

  /**
   * Prints what {@link #run()} found.
   *
   * @param args none
   */
  public static void main(String[] args) {
    FormationResult r = run();
    System.out.printf(
        Locale.ROOT,
        "%d coalitions after %d merges; %.1f %% of line loss saved%n",
        r.coalitions().size(),
        r.merges(),
        100 * r.lossSaving());
  }
}
