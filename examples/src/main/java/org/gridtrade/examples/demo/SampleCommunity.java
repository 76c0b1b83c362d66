package org.gridtrade.examples.demo;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.gridtrade.ledger.Units;

/**
 * A made-up neighbourhood of prosumers (rooftop PV and a home battery that discharges at night) and
 * consumers, and the hourly double auction in which they trade.
 *
 * <p>Every number comes from one {@link Random} seeded by the caller and drawn in a fixed order, so
 * the same seed gives the same households, orders and matches. The physics is deliberately crude:
 * it exists to give the ledger demo realistic-looking trades, not to model a grid. Quantities are
 * modelled in kWh and cents/kWh and converted to the ledger's Wh and micro-coins with {@link Units}
 * (one coin is 100 cents).
 *
 * <p>Not thread-safe: {@link #clear} draws from the shared generator.
 */
public final class SampleCommunity {
  /** Lowest price any order carries, cents/kWh. */
  static final double PRICE_FLOOR_CENTS = 12.0;

  /** Highest price any order carries, cents/kWh. */
  static final double PRICE_CAP_CENTS = 30.0;

  /** Net energy below this, kWh, is not worth an order. */
  private static final double MIN_ORDER_KWH = 0.02;

  /** Matches below this, Wh, are dust left unsettled rather than put on the ledger. */
  private static final long MIN_TRADE_WH = 10;

  /** Whether a household produces energy. */
  enum Role {
    PROSUMER,
    CONSUMER
  }

  /**
   * One household.
   *
   * @param name wallet and meter name, e.g. {@code prosumer-03}
   * @param role prosumer or consumer
   * @param pvKWp rooftop PV peak power, kW (0 for consumers)
   * @param nightBatteryKWh energy the home battery discharges per night hour, kWh (0 for consumers)
   * @param baseLoadKWh load in an ordinary hour, kWh
   * @param eveningLoadKWh extra load from 17:00 to 21:59, kWh
   * @param askCents the price the household asks when it sells, cents/kWh
   * @param bidCents the price the household bids when it buys, cents/kWh
   */
  record Household(
      String name,
      Role role,
      double pvKWp,
      double nightBatteryKWh,
      double baseLoadKWh,
      double eveningLoadKWh,
      double askCents,
      double bidCents) {}

  /**
   * A cleared trade between two households.
   *
   * @param seller index of the selling household
   * @param buyer index of the buying household
   * @param energyWh energy traded, Wh, more than 0
   */
  record Match(int seller, int buyer, long energyWh) {}

  /**
   * What happened in one hour.
   *
   * @param matches the cleared trades, all at {@code priceMicroPerKWh}
   * @param priceMicroPerKWh the uniform clearing price, micro-coins per kWh (0 if nothing cleared)
   * @param netWh each household's net energy this hour, Wh: positive exports, negative imports
   */
  record Hour(List<Match> matches, long priceMicroPerKWh, long[] netWh) {}

  private record Order(int household, long priceMicroPerKWh, long energyWh) {}

  private final List<Household> households;
  private final Random random;

  private SampleCommunity(List<Household> households, Random random) {
    this.households = households;
    this.random = random;
  }

  /**
   * Draws a community: the first {@code ceil(traders / 2)} households are prosumers, the rest
   * consumers.
   *
   * @param random the generator; later draws continue from it
   * @param traders number of households, 2 or more
   * @return the community
   */
  static SampleCommunity create(Random random, int traders) {
    if (traders < 2) {
      throw new IllegalArgumentException("traders %d must be >= 2".formatted(traders));
    }
    int prosumers = (traders + 1) / 2;
    List<Household> hs = new ArrayList<>(traders);
    for (int i = 0; i < traders; i++) {
      boolean prosumer = i < prosumers;
      String name =
          prosumer
              ? String.format(Locale.ROOT, "prosumer-%02d", i + 1)
              : String.format(Locale.ROOT, "consumer-%02d", i - prosumers + 1);
      double pv = prosumer ? uniform(random, 3.0, 9.0) : 0;
      // Discharge exceeds any night load, so every prosumer has something to sell at night.
      double battery = prosumer ? uniform(random, 0.8, 1.6) : 0;
      double base = prosumer ? uniform(random, 0.2, 0.6) : uniform(random, 0.3, 0.9);
      double evening = uniform(random, 0.5, 1.8);
      double ask = uniform(random, 12.0, 19.0);
      double bid = uniform(random, 20.0, 28.0);
      hs.add(
          new Household(
              name,
              prosumer ? Role.PROSUMER : Role.CONSUMER,
              pv,
              battery,
              base,
              evening,
              ask,
              bid));
    }
    return new SampleCommunity(List.copyOf(hs), random);
  }

  /**
   * The households, prosumers first.
   *
   * @return an unmodifiable list
   */
  List<Household> households() {
    return households;
  }

  /**
   * Draws one hour's production and load and clears it in a k-double auction (k = 1/2): asks
   * ascending and bids descending are matched while the bid covers the ask, and every match trades
   * at the midpoint of the last matched ask and bid, which no matched seller or buyer objects to.
   *
   * @param hourOfDay the hour, 0..23 (drives sunshine, battery and evening load)
   * @return the matches, the price and the households' net energy
   */
  Hour clear(int hourOfDay) {
    double sun = sunshine(hourOfDay);
    double cloud = uniform(random, 0.5, 1.0);
    boolean night = hourOfDay < 6 || hourOfDay >= 19;
    boolean evening = hourOfDay >= 17 && hourOfDay <= 21;
    boolean morning = hourOfDay == 7 || hourOfDay == 8;
    long[] net = new long[households.size()];
    List<Order> asks = new ArrayList<>();
    List<Order> bids = new ArrayList<>();
    for (int i = 0; i < households.size(); i++) {
      Household h = households.get(i);
      double load = h.baseLoadKWh() * uniform(random, 0.8, 1.2);
      if (evening) {
        load += h.eveningLoadKWh() * uniform(random, 0.8, 1.2);
      }
      if (morning) {
        load += 0.3 * h.baseLoadKWh();
      }
      double production = h.pvKWp() * sun * cloud * 0.85 + (night ? h.nightBatteryKWh() : 0);
      double netKWh = production - load;
      net[i] = Units.kWhToWh(netKWh);
      double jitter = uniform(random, -1.0, 1.0);
      if (netKWh > MIN_ORDER_KWH) {
        // A sunny midday glut makes sellers cheaper.
        double ask = h.askCents() + jitter - 3.0 * sun * cloud;
        asks.add(new Order(i, priceMicro(ask), Units.kWhToWh(netKWh)));
      } else if (netKWh < -MIN_ORDER_KWH) {
        double bid = h.bidCents() + 2.0 * jitter + (evening ? 3.0 : 0.0);
        bids.add(new Order(i, priceMicro(bid), Units.kWhToWh(-netKWh)));
      }
    }
    asks.sort(Comparator.comparingLong(Order::priceMicroPerKWh).thenComparingInt(Order::household));
    bids.sort(
        Comparator.comparingLong(Order::priceMicroPerKWh)
            .reversed()
            .thenComparingInt(Order::household));
    List<Match> matches = new ArrayList<>();
    long[] askLeft = asks.stream().mapToLong(Order::energyWh).toArray();
    long[] bidLeft = bids.stream().mapToLong(Order::energyWh).toArray();
    int a = 0;
    int b = 0;
    long lastAsk = 0;
    long lastBid = 0;
    while (a < asks.size()
        && b < bids.size()
        && bids.get(b).priceMicroPerKWh() >= asks.get(a).priceMicroPerKWh()) {
      long q = Math.min(askLeft[a], bidLeft[b]);
      if (q >= MIN_TRADE_WH) {
        matches.add(new Match(asks.get(a).household(), bids.get(b).household(), q));
      }
      lastAsk = asks.get(a).priceMicroPerKWh();
      lastBid = bids.get(b).priceMicroPerKWh();
      askLeft[a] -= q;
      bidLeft[b] -= q;
      if (askLeft[a] == 0) {
        a++;
      }
      if (bidLeft[b] == 0) {
        b++;
      }
    }
    long price = matches.isEmpty() ? 0 : (lastAsk + lastBid) / 2;
    return new Hour(List.copyOf(matches), price, net);
  }

  // Clear-sky PV output as a fraction of peak, from 06:00 to 18:59 (StrictMath: same on every JVM).
  private static double sunshine(int hourOfDay) {
    if (hourOfDay < 6 || hourOfDay > 18) {
      return 0;
    }
    return Math.max(0, StrictMath.sin(StrictMath.PI * (hourOfDay + 0.5 - 6) / 13));
  }

  // Cents/kWh to micro-coins/kWh, clamped to the market's range and rounded to 0.01 cent.
  private static long priceMicro(double cents) {
    double clamped = Math.max(PRICE_FLOOR_CENTS, Math.min(PRICE_CAP_CENTS, cents));
    return Units.centsPerKWhToMicroPerKWh(Math.round(clamped * 100) / 100.0);
  }

  private static double uniform(Random random, double lo, double hi) {
    return lo + (hi - lo) * random.nextDouble();
  }
}
