package org.gridtrade.game.v2v;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;
import org.gridtrade.auction.DoubleAuction;
import org.gridtrade.auction.DoubleAuctionResult;
import org.gridtrade.auction.Order;
import org.gridtrade.auction.Trade;
import org.ojalgo.optimisation.Expression;
import org.ojalgo.optimisation.ExpressionsBasedModel;
import org.ojalgo.optimisation.Optimisation;
import org.ojalgo.optimisation.Variable;

/**
 * The hotspot's V2V trades cleared each hour among the parked EVs by lib-auction's uniform-price
 * double auction, the grid backing up whatever is not matched (the alternative to the fixed V2V
 * price rule that Moniruzzaman Ch. 4 allows).
 *
 * <p>Each EV acts as it would under the rule (its policy sees the rule's V2V price, the price it
 * expects); then, hour by hour, every EV that charges bids its energy at the retail price (it will
 * not pay the V2V market more than the grid), every EV that discharges asks its energy at the
 * feed-in price (it will not take less), and the auction clears them with {@code k} = the tariff's
 * V2V share. When the hour's V2V demand and supply balance, a kWh trades at the rule's price; when
 * buyers are left over, the price rises to the retail price (the leftover bid sets it), and when
 * sellers are, it falls to the feed-in price. What the rule takes for granted, a counterparty for
 * every kWh at its price, is what the auction rations: a buyer's unmatched energy comes from the
 * grid at the retail price, a seller's goes to the grid at the feed-in price, and neither earns a
 * V2V profit on it. Equal prices are matched in EV order (lib-auction's admission order).
 *
 * <p>Rewards follow Eq. 4.14 with the cleared split: {@code −δ (A_v2v (p* + Ω) + A_grid p_grid)},
 * the departure penalty unchanged; profit is {@code A_v2v (p_Gsell − p*)} for a purchase and {@code
 * |A_v2v| (p* − p_Gbuy)} for a sale, 0 on the grid part.
 */
public final class V2vHotspot {
  private V2vHotspot() {}

  /**
   * One EV's day at the cleared hotspot.
   *
   * @param totalReward the day's return under clearing
   * @param totalProfit the day's V2V profit under clearing
   * @param offeredKwh the energy it wanted to trade V2V (bought plus sold)
   * @param matchedKwh the part the auction matched
   */
  public record EvDay(
      double totalReward, double totalProfit, double offeredKwh, double matchedKwh) {}

  /**
   * Plays every EV's policy on one day and clears each hour's V2V trades among the parked EVs.
   *
   * @param fleet the EVs, all with one tariff
   * @param policies each EV's policy
   * @param retailPrices the day's 24 retail prices
   * @return each EV's day, in fleet order
   * @throws IllegalArgumentException when the fleet is empty or the EVs' tariffs differ
   */
  public static List<EvDay> playDay(
      List<V2vScenario> fleet, IntFunction<V2vPolicy> policies, double[] retailPrices) {
    Objects.requireNonNull(fleet, "fleet");
    Objects.requireNonNull(policies, "policies");
    List<V2vEpisode> episodes = new ArrayList<>();
    for (int i = 0; i < fleet.size(); i++) {
      episodes.add(V2vEpisode.play(fleet.get(i), policies.apply(i), retailPrices));
    }
    return clear(fleet, episodes, retailPrices);
  }

  /**
   * Clears the hours of episodes already played (each EV's actions do not depend on the clearing:
   * its policy sees the rule's price).
   *
   * @param fleet the EVs
   * @param episodes their days, in fleet order, played on {@code retailPrices}
   * @param retailPrices the day's 24 retail prices
   * @return each EV's day under clearing
   */
  static List<EvDay> clear(
      List<V2vScenario> fleet, List<V2vEpisode> episodes, double[] retailPrices) {
    int n = fleet.size();
    Hour hour = new Hour(fleet);
    double[] reward = new double[n];
    double[] profit = new double[n];
    double[] offered = new double[n];
    double[] matched = new double[n];
    V2vStep[][] byHour = new V2vStep[n][24];
    for (int i = 0; i < n; i++) {
      for (V2vStep s : episodes.get(i).steps()) {
        byHour[i][s.hour()] = s;
        reward[i] += s.departurePenalty();
      }
    }
    double[] applied = new double[n];
    for (int h = 0; h < 24; h++) {
      for (int i = 0; i < n; i++) {
        applied[i] = byHour[i][h] == null ? 0 : byHour[i][h].appliedKwh();
      }
      hour.clear(h, retailPrices[h], applied);
      for (int i = 0; i < n; i++) {
        reward[i] += hour.reward[i];
        profit[i] += hour.profit[i];
        offered[i] += Math.abs(applied[i]);
        matched[i] += hour.matched[i];
      }
    }
    List<EvDay> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(new EvDay(reward[i], profit[i], offered[i], matched[i]));
    }
    return out;
  }

  /** The fleet's one tariff, after checking there is at least one EV and one tariff. */
  private static TouPrices tariff(List<V2vScenario> fleet) {
    if (fleet.isEmpty()) {
      throw new IllegalArgumentException("fleet must hold at least one EV");
    }
    TouPrices tariff = fleet.get(0).prices();
    for (int i = 1; i < fleet.size(); i++) {
      if (!fleet.get(i).prices().equals(tariff)) {
        throw new IllegalArgumentException(
            "fleet[%d].prices must equal fleet[0].prices (one hotspot, one tariff)".formatted(i));
      }
    }
    return tariff;
  }

  /**
   * One hour's clearing among the parked EVs, reused hour after hour: {@link #clear} leaves each
   * EV's reward of the hour (Eq. 4.14 with the cleared split, no departure penalty), its V2V profit
   * and the energy matched in the arrays.
   */
  static final class Hour {
    private final TouPrices tariff;
    private final double[] omega;
    private final DoubleAuction auction;
    private final double[] v2v;
    private final double[] price;
    private final List<Order> buys = new ArrayList<>();
    private final List<Order> sells = new ArrayList<>();
    private final String[] ids;

    /** The hour's reward of each EV. */
    final double[] reward;

    /** The hour's V2V profit of each EV. */
    final double[] profit;

    /** The energy of each EV the auction matched, kWh. */
    final double[] matched;

    /**
     * A clearing for a fleet.
     *
     * @param fleet the EVs, all with one tariff
     * @throws IllegalArgumentException when there are none or their tariffs differ
     */
    Hour(List<V2vScenario> fleet) {
      int n = fleet.size();
      this.tariff = tariff(fleet);
      this.omega = new double[n];
      this.ids = new String[n];
      for (int i = 0; i < n; i++) {
        omega[i] = fleet.get(i).omega();
        ids[i] = Integer.toString(i);
      }
      this.auction = DoubleAuction.uniformPrice(tariff.v2vShare());
      this.v2v = new double[n];
      this.price = new double[n];
      this.reward = new double[n];
      this.profit = new double[n];
      this.matched = new double[n];
    }

    /**
     * Clears one hour.
     *
     * @param h the clock hour
     * @param retail the hour's retail price
     * @param applied each EV's energy after the environment's clip, kWh, positive = charge; 0 for
     *     an EV that is idle or not parked
     */
    void clear(int h, double retail, double[] applied) {
      int n = applied.length;
      double delta = tariff.delta(h);
      double feedIn = tariff.feedInPrice();
      buys.clear();
      sells.clear();
      for (int i = 0; i < n; i++) {
        double a = applied[i];
        if (a > 0) {
          buys.add(new Order(ids[i], Math.max(0, retail), a));
        } else if (a < 0) {
          sells.add(new Order(ids[i], feedIn, -a));
        }
      }
      Arrays.fill(v2v, 0);
      Arrays.fill(price, 0);
      if (!buys.isEmpty() && !sells.isEmpty()) {
        DoubleAuctionResult r = auction.clear(buys, sells);
        for (Trade t : r.trades()) {
          int b = Integer.parseInt(t.buyerId());
          int s = Integer.parseInt(t.sellerId());
          v2v[b] += t.quantity();
          v2v[s] += t.quantity();
          price[b] = t.buyerPrice();
          price[s] = t.sellerPrice();
        }
      }
      for (int i = 0; i < n; i++) {
        double a = applied[i];
        double m = Math.min(v2v[i], Math.abs(a));
        double grid = Math.abs(a) - m;
        matched[i] = m;
        if (a > 0) {
          reward[i] = -delta * (m * (price[i] + omega[i]) + grid * retail);
          profit[i] = m * (retail - price[i]);
        } else if (a < 0) {
          reward[i] = delta * (m * (price[i] + omega[i]) + grid * feedIn);
          profit[i] = m * (price[i] - feedIn);
        } else {
          reward[i] = 0;
          profit[i] = 0;
        }
      }
    }
  }

  /**
   * An upper bound on the fleet's return on one day at the cleared hotspot, over every way the EVs
   * could act: their joint plan with perfect foresight of the day's prices, a concave program.
   *
   * <p>Within an hour the matched energy's payments cancel between buyer and seller (every EV pays
   * the same {@code Ω}), so the fleet's reward in hour {@code h} is {@code −δ_h (p_retail (D − M) −
   * p_feedIn (S − M))}, with {@code D} bought, {@code S} sold and {@code M ≤ min(D, S)} matched.
   * When matching pays ({@code δ_h (p_retail − p_feedIn) > 0}) the bound takes {@code M = min(D,
   * S)}, what the auction matches, and the hour's reward depends only on the net {@code x = D − S}:
   * {@code −δ_h max(p_retail x, p_feedIn x)}. Otherwise it takes {@code M = 0} and splits each EV's
   * energy into a purchase and a sale, which lets one EV do both in one hour (a relaxation). Each
   * EV's SOC stays within {@code [min(socMin, SOC_0), max(socMax, SOC_0)]} at every hour's end (a
   * relaxation when it arrives outside the recommended band), its energy per hour within the
   * charger rate, and its departure penalty {@code −η (SOC_dep − socMax)²} is exact. So every
   * policy's fleet return on the day under {@link #playDay} is at most this, up to the solver's
   * tolerance, and the bound is reached when the relaxations do not bind.
   *
   * <p>ojAlgo solves it as a linear program in which each penalty is held below tangents added at
   * the solution until its penalties are within 10⁻⁹ of their true values (Kelley's cutting
   * planes); a tangent lies above the concave penalty, so the value is an upper bound at every
   * iteration.
   *
   * @param fleet the EVs, one tariff and one {@code Ω}
   * @param retailPrices the day's 24 retail prices, finite
   * @return the bound on the sum of the EVs' returns, cents
   * @throws IllegalArgumentException when the fleet is empty, the tariffs or {@code Ω} differ, or
   *     the prices are not 24 finite values
   * @throws IllegalStateException when the solver does not report an optimum
   */
  public static double jointBound(List<V2vScenario> fleet, double[] retailPrices) {
    Objects.requireNonNull(fleet, "fleet");
    Objects.requireNonNull(retailPrices, "retailPrices");
    TouPrices tariff = tariff(fleet);
    for (int i = 1; i < fleet.size(); i++) {
      if (fleet.get(i).omega() != fleet.get(0).omega()) {
        throw new IllegalArgumentException(
            "fleet[%d].omega %s must equal fleet[0].omega %s (matched payments cancel)"
                .formatted(i, fleet.get(i).omega(), fleet.get(0).omega()));
      }
    }
    if (retailPrices.length != 24) {
      throw new IllegalArgumentException(
          "retailPrices length %d must be 24".formatted(retailPrices.length));
    }
    for (int h = 0; h < 24; h++) {
      if (!Double.isFinite(retailPrices[h])) {
        throw new IllegalArgumentException(
            "retailPrices[%d] %s must be finite".formatted(h, retailPrices[h]));
      }
    }
    double feedIn = tariff.feedInPrice();
    ExpressionsBasedModel model = new ExpressionsBasedModel();
    Expression objective = model.addExpression("return").weight(1);
    // y_h - retail x_h >= 0 and y_h - feedIn x_h >= 0 for the hours where matching pays
    Expression[] aboveRetail = new Expression[24];
    Expression[] aboveFeedIn = new Expression[24];
    for (int h = 0; h < 24; h++) {
      double delta = tariff.delta(h);
      if (delta * (retailPrices[h] - feedIn) > 0) {
        Variable y = model.addVariable("y" + h);
        objective.set(y, -delta);
        aboveRetail[h] = model.addExpression("aboveRetail" + h).lower(0).set(y, 1);
        aboveFeedIn[h] = model.addExpression("aboveFeedIn" + h).lower(0).set(y, 1);
      }
    }
    List<Penalty> penalties = new ArrayList<>();
    for (int i = 0; i < fleet.size(); i++) {
      V2vScenario s = fleet.get(i);
      double cap = s.capacityKwh();
      double rate = s.rateKwhPerHour();
      double soc0 = s.initialSoc();
      double lo = Math.min(s.socMin(), soc0);
      double hi = Math.max(s.socMax(), soc0);
      Variable soc = null; // the SOC at the end of the previous hour; null: on arrival
      for (int h = s.arrivalHour(); h < s.departureHour(); h++) {
        double delta = tariff.delta(h);
        Variable next = model.addVariable("soc" + i + "_" + h).lower(lo).upper(hi);
        // next - soc - energy / cap = 0 (soc0 on arrival)
        Expression step = model.addExpression("step" + i + "_" + h).set(next, 1);
        if (soc == null) {
          step.level(soc0);
        } else {
          step.level(0).set(soc, -1);
        }
        if (aboveRetail[h] != null || delta == 0) {
          Variable a = model.addVariable("a" + i + "_" + h).lower(-rate).upper(rate);
          step.set(a, -1 / cap);
          if (aboveRetail[h] != null) {
            aboveRetail[h].set(a, -retailPrices[h]);
            aboveFeedIn[h].set(a, -feedIn);
          }
        } else {
          Variable buy = model.addVariable("buy" + i + "_" + h).lower(0).upper(rate);
          Variable sell = model.addVariable("sell" + i + "_" + h).lower(0).upper(rate);
          objective.set(buy, -delta * retailPrices[h]);
          objective.set(sell, delta * feedIn);
          step.set(buy, -1 / cap).set(sell, 1 / cap);
        }
        soc = next;
      }
      if (s.eta() > 0) {
        // pen <= -eta e^2 with e = soc - socMax, kept as tangent cuts (below)
        Variable pen = model.addVariable("penalty" + i).upper(0);
        objective.set(pen, 1);
        Penalty p = new Penalty(s, soc, pen);
        for (int k = 0; k <= 4; k++) {
          p.cut(model, lo - s.socMax() + k * (hi - lo) / 4);
        }
        penalties.add(p);
      }
    }
    // Kelley's cutting planes: each tangent of the concave penalty lies above it, so every
    // iterate's optimum bounds the true one from above; stop when the iterate's own penalties are
    // within a tolerance of their tangents' values.
    double bound = Double.NaN;
    for (int iteration = 0; iteration < MAX_CUTS; iteration++) {
      Optimisation.Result r = model.maximise();
      if (!r.getState().isOptimal()) {
        throw new IllegalStateException(
            "the joint bound's linear program was not solved to optimality: " + r.getState());
      }
      bound = r.getValue();
      double gap = 0;
      for (Penalty p : penalties) {
        gap += p.gap(model, r);
      }
      if (gap <= 1e-9 * Math.max(1, Math.abs(bound))) {
        break;
      }
      for (Penalty p : penalties) {
        p.cutAtSolution(model, r);
      }
    }
    return bound;
  }

  // Rounds of cuts before the bound is returned as it stands (still an upper bound).
  private static final int MAX_CUTS = 60;

  /** One EV's departure penalty {@code −η (soc − socMax)²} as tangent cuts. */
  private static final class Penalty {
    private final V2vScenario ev;
    private final Variable soc;
    private final Variable pen;
    private int cuts;

    Penalty(V2vScenario ev, Variable soc, Variable pen) {
      this.ev = ev;
      this.soc = soc;
      this.pen = pen;
    }

    /** Adds the tangent at {@code e = soc − socMax = at}: {@code pen ≤ −2η at e + η at²}. */
    void cut(ExpressionsBasedModel model, double at) {
      double eta = ev.eta();
      // pen + 2 eta at soc <= eta at^2 + 2 eta at socMax
      model
          .addExpression("cut" + pen.getName() + "_" + cuts++)
          .upper(eta * at * at + 2 * eta * at * ev.socMax())
          .set(pen, 1)
          .set(soc, 2 * eta * at);
    }

    /** How far the solution's penalty variable lies above the true penalty. */
    double gap(ExpressionsBasedModel model, Optimisation.Result r) {
      double e = r.doubleValue(model.indexOf(soc)) - ev.socMax();
      return r.doubleValue(model.indexOf(pen)) + ev.eta() * e * e;
    }

    void cutAtSolution(ExpressionsBasedModel model, Optimisation.Result r) {
      if (gap(model, r) > 1e-12) {
        cut(model, r.doubleValue(model.indexOf(soc)) - ev.socMax());
      }
    }
  }

  /**
   * The mean over days of {@link #jointBound}, per EV: the bound on {@link Summary#meanReturn}.
   *
   * @param fleet the EVs
   * @param days the days' retail prices
   * @return cents per EV and day
   */
  public static double meanJointBound(List<V2vScenario> fleet, List<double[]> days) {
    double sum = 0;
    for (double[] day : days) {
      sum += jointBound(fleet, day);
    }
    return sum / ((double) days.size() * fleet.size());
  }

  /**
   * The fleet's means over days under clearing.
   *
   * @param meanReturn mean over EVs and days of the return
   * @param meanProfit mean over EVs and days of the V2V profit
   * @param matchedShare the share of the energy the EVs offered that the auction matched
   */
  public record Summary(double meanReturn, double meanProfit, double matchedShare) {}

  /**
   * Plays the fleet on every day and averages.
   *
   * @param fleet the EVs
   * @param policies their policies
   * @param days the days' retail prices
   * @return the means
   */
  public static Summary evaluate(
      List<V2vScenario> fleet, IntFunction<V2vPolicy> policies, List<double[]> days) {
    double ret = 0;
    double prof = 0;
    double offered = 0;
    double matched = 0;
    for (double[] day : days) {
      for (EvDay d : playDay(fleet, policies, day)) {
        ret += d.totalReward();
        prof += d.totalProfit();
        offered += d.offeredKwh();
        matched += d.matchedKwh();
      }
    }
    double count = (double) days.size() * fleet.size();
    return new Summary(ret / count, prof / count, offered == 0 ? 0 : matched / offered);
  }
}
