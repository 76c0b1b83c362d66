package org.gridtrade.examples.study;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;
import org.gridtrade.auction.DoubleAuction;
import org.gridtrade.auction.DoubleAuctionResult;
import org.gridtrade.auction.Order;
import org.gridtrade.auction.Trade;
import org.gridtrade.game.v2v.TouPrices;
import org.gridtrade.game.v2v.V2vEpisode;
import org.gridtrade.game.v2v.V2vPolicy;
import org.gridtrade.game.v2v.V2vScenario;
import org.gridtrade.game.v2v.V2vStep;

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
   * @throws IllegalArgumentException when the EVs' tariffs differ
   */
  public static List<EvDay> playDay(
      List<V2vScenario> fleet, IntFunction<V2vPolicy> policies, double[] retailPrices) {
    Objects.requireNonNull(fleet, "fleet");
    Objects.requireNonNull(policies, "policies");
    List<V2vEpisode> episodes = new ArrayList<>();
    for (int i = 0; i < fleet.size(); i++) {
      if (!fleet.get(i).prices().equals(fleet.get(0).prices())) {
        throw new IllegalArgumentException(
            "fleet[%d].prices must equal fleet[0].prices (one hotspot, one tariff)".formatted(i));
      }
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
    TouPrices tariff = fleet.get(0).prices();
    DoubleAuction auction = DoubleAuction.uniformPrice(tariff.v2vShare());
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
    double feedIn = tariff.feedInPrice();
    for (int h = 0; h < 24; h++) {
      double retail = retailPrices[h];
      double delta = tariff.delta(h);
      List<Order> buys = new ArrayList<>();
      List<Order> sells = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        V2vStep s = byHour[i][h];
        if (s == null || s.appliedKwh() == 0) {
          continue;
        }
        double a = s.appliedKwh();
        offered[i] += Math.abs(a);
        if (a > 0) {
          buys.add(new Order(Integer.toString(i), Math.max(0, retail), a));
        } else {
          sells.add(new Order(Integer.toString(i), feedIn, -a));
        }
      }
      double[] v2v = new double[n];
      double[] price = new double[n];
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
        V2vStep s = byHour[i][h];
        if (s == null || s.appliedKwh() == 0) {
          continue;
        }
        double a = s.appliedKwh();
        double omega = fleet.get(i).omega();
        double m = Math.min(v2v[i], Math.abs(a));
        double grid = Math.abs(a) - m;
        matched[i] += m;
        if (a > 0) {
          reward[i] += -delta * (m * (price[i] + omega) + grid * retail);
          profit[i] += m * (retail - price[i]);
        } else {
          reward[i] += delta * (m * (price[i] + omega) + grid * feedIn);
          profit[i] += m * (price[i] - feedIn);
        }
      }
    }
    List<EvDay> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(new EvDay(reward[i], profit[i], offered[i], matched[i]));
    }
    return out;
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
