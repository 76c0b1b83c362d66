package org.gridtrade.benchmarks;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.gridtrade.auction.DemandResponseAuction;
import org.gridtrade.auction.DemandResponseResult;
import org.gridtrade.auction.DrInstance;
import org.gridtrade.auction.SocialWelfareSolver;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The iterative demand-response double auction on one seeded random instance of {@code evs} EVs ×
 * {@code sps} SPs in Aggarwal's parameter ranges: a full run (every round plus the SWM reference
 * solve the result reports), the SWM reference solve alone, and the run's time per round (full run
 * divided by its rounds, printed at setup). {@code prices-134} is market 134 of {@code dr-study
 * --instances 300 --seed 1 --evs 100..300 --sps 20..60 --prices} (192 EVs × 29 SPs with minimum and
 * maximum prices), where Newton stalls on the auctioneer's model and on SWM and the interior-point
 * method finishes both. Run: {@code benchmarks/run.sh quick DemandResponse}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class DemandResponseBenchmark {

  /** Instance size as EVs x SPs, or {@code prices-K}: market K of the large priced study. */
  @Param({"100x20", "1000x100", "prices-134"})
  public String size;

  private DrInstance instance;
  private DemandResponseAuction auction;

  /** Builds the instance and reports its round count. */
  @Setup
  public void setup() {
    if (size.startsWith("prices-")) {
      // drawn as dr-study draws its markets: seed + k, then EVs, SPs and the market
      SplittableRandom r = new SplittableRandom(1 + Integer.parseInt(size.substring(7)));
      int evs = 100 + r.nextInt(201);
      int sps = 20 + r.nextInt(41);
      instance = DrInstance.randomWithPrices(evs, sps, r);
    } else {
      String[] p = size.split("x");
      instance =
          DrInstance.random(
              Integer.parseInt(p[0]), Integer.parseInt(p[1]), new SplittableRandom(2026));
    }
    auction = DemandResponseAuction.builder().build();
    DemandResponseResult r = auction.run(instance);
    System.out.printf(
        "%n%s: %d rounds, converged %s, welfare gap %.2e%n",
        size, r.iterations(), r.converged(), r.welfareGap());
  }

  /**
   * A full auction run, including the SWM reference solve.
   *
   * @return the result
   */
  @Benchmark
  public DemandResponseResult fullRun() {
    return auction.run(instance);
  }

  /**
   * The SWM reference solve alone.
   *
   * @return the optimal welfare
   */
  @Benchmark
  public double swmSolve() {
    return SocialWelfareSolver.solve(instance).welfare();
  }
}
