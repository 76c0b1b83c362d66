package org.gridtrade.benchmarks;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.gridtrade.auction.Order;
import org.gridtrade.auction.OrderBook;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Limit-order submissions with matching on one core: 100,000 random buy and sell orders around 20
 * cents/kWh into a fresh book per invocation (about three in four submissions trade). Target: at
 * least 1,000,000 submissions per second. Run: {@code benchmarks/run.sh quick OrderBook}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class OrderBookBenchmark {
  static final int ORDERS = 100_000;

  private Order[] orders;
  private OrderBook.Side[] sides;

  /** Creates the order stream. */
  @Setup
  public void setup() {
    Random r = new Random(6);
    orders = new Order[ORDERS];
    sides = new OrderBook.Side[ORDERS];
    for (int i = 0; i < ORDERS; i++) {
      boolean buy = r.nextBoolean();
      double price = Math.round((20 + (buy ? 1 : -1) * 0.5 + r.nextGaussian() * 2) * 100) / 100.0;
      orders[i] = new Order("o" + i, Math.max(0, price), 1 + r.nextInt(20));
      sides[i] = buy ? OrderBook.Side.BUY : OrderBook.Side.SELL;
    }
  }

  /**
   * Submits every order to a fresh book.
   *
   * @return the number of trades
   */
  @Benchmark
  @OperationsPerInvocation(ORDERS)
  public int submitWithMatching() {
    OrderBook book = OrderBook.create();
    for (int i = 0; i < ORDERS; i++) {
      book.submit(sides[i], orders[i]);
    }
    return book.tradeCount();
  }
}
