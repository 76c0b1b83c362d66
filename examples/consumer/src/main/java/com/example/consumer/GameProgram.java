package com.example.consumer;

import java.util.Locale;
import org.gridtrade.game.stackelberg.EvGenerator;
import org.gridtrade.game.stackelberg.GenerationCost;
import org.gridtrade.game.stackelberg.LeaderConfig;
import org.gridtrade.game.stackelberg.PriceBounds;
import org.gridtrade.game.stackelberg.StackelbergGame;
import org.gridtrade.game.stackelberg.StackelbergProblem;
import org.gridtrade.game.stackelberg.StackelbergSolution;

/** The PETS Stackelberg game: a leader's 24 prices and the EVs' best responses. */
public final class GameProgram {
  private GameProgram() {}

  /**
   * Runs the program on 20 seeded random EVs.
   *
   * @return the solution
   */
  public static StackelbergSolution run() {
    StackelbergProblem problem =
        StackelbergProblem.of(
            EvGenerator.random(20, 7),
            GenerationCost.thesisDefaults(),
            PriceBounds.thesisDefaults());
    return StackelbergGame.solve(problem, LeaderConfig.defaults().withRandomSeed(7));
  }

  /**
   * Prints what {@link #run()} found.
   *
   * @param args none
   */
  public static void main(String[] args) {
    StackelbergSolution s = run();
    System.out.printf(
        Locale.ROOT,
        "leader profit %.2f c (upper bound %.2f c), PAR %.3f%n",
        s.profit(),
        s.upperBound(),
        s.par());
  }
}
