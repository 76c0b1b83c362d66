package org.gridtrade.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.gridtrade.auction.DoubleAuction;
import org.gridtrade.auction.DoubleAuctionResult;
import org.gridtrade.auction.Order;
import org.gridtrade.auction.Trade;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Uniform-price clearing of 1,000,000 orders (500,000 buys and 500,000 sells, prices uniform in
 * [10, 30) and [8, 28) cents/kWh, quantities 1–20 kWh, seeded) through the public API, against its
 * lower bound: {@link Arrays#sort(double[])} of the same 1,000,000 prices. Target: clearing within
 * 2× the sort.
 *
 * <p>Fairness: the orders and the price array are built once in {@code @Setup}. The baseline clones
 * the price array inside the measured method (sorting in place would sort an already sorted array
 * from the second call on); the clone, about 1 ms for 8 MB, is the counterpart of the clearing
 * copying the prices out of the orders, which it must also do. The clearing result (about 600,000
 * trades) is returned so it cannot be optimised away; building those {@code Trade} records is part
 * of the measured cost.
 *
 * <p>Run: {@code benchmarks/run.sh quick Clearing}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class ClearingBenchmark {
  static final int ORDERS = 1_000_000;

  private List<Order> buys;
  private List<Order> sells;
  private double[] prices;
  private final DoubleAuction auction = DoubleAuction.uniformPrice(0.5);

  /** Creates the orders and the baseline's price array. */
  @Setup
  public void setup() {
    SplittableRandom r = new SplittableRandom(42);
    buys = new ArrayList<>(ORDERS / 2);
    sells = new ArrayList<>(ORDERS / 2);
    prices = new double[ORDERS];
    for (int i = 0; i < ORDERS; i++) {
      boolean buy = (i & 1) == 0;
      double price = buy ? 10 + 20 * r.nextDouble() : 8 + 20 * r.nextDouble();
      Order o = new Order((buy ? "b" : "s") + i, price, 1 + r.nextInt(20));
      (buy ? buys : sells).add(o);
      prices[i] = price;
    }
  }

  /**
   * Clears the market once through the public API.
   *
   * @return the result
   */
  @Benchmark
  public DoubleAuctionResult uniformPriceClearing() {
    return auction.clear(buys, sells);
  }

  /**
   * Clears the market and reads every trade once (sums the buyers' payments).
   *
   * @return the total paid by buyers, cents
   */
  @Benchmark
  public double uniformPriceClearingAndReadTrades() {
    double paid = 0;
    for (Trade t : auction.clear(buys, sells).trades()) {
      paid += t.buyerPayment();
    }
    return paid;
  }

  /**
   * Lower bound: sorts a copy of the 1,000,000 prices.
   *
   * @return the sorted copy
   */
  @Benchmark
  public double[] sortDoublesBaseline() {
    double[] a = prices.clone();
    Arrays.sort(a);
    return a;
  }
}
