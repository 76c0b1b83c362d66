package org.gridtrade.auction;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Two-level supply–demand-ratio (SDR) pricing: implements Haider §3.4, Eq. 3.1–3.4 as
 * docs/auction.md, "Two-level supply–demand-ratio pricing", states it.
 *
 * <p>Haider Eq. 3.4 is garbled; we use the standard SDR rule. With {@code TSP = Σ surplus}, {@code
 * TBP = Σ deficit} and {@code SDR = TSP / TBP}:
 *
 * <pre>{@code
 * P_sell = λ_sell·λ_buy / ((λ_buy − λ_sell)·SDR + λ_sell)   if 0 ≤ SDR ≤ 1, else λ_sell
 * P_buy  = P_sell·SDR + λ_buy·(1 − SDR)                     if 0 ≤ SDR ≤ 1, else λ_sell
 * }</pre>
 *
 * <p>Invariant: {@code λ_sell ≤ P_sell ≤ P_buy ≤ λ_buy}. Edge cases: {@code TBP = 0} with {@code
 * TSP > 0} gives {@code SDR = +∞} (prices λ_sell); no surplus and no deficit gives {@code SDR = 1}
 * (prices λ_sell, nothing traded).
 *
 * <p>Allocation (our documented rule; Haider leaves it open): the peer volume is {@code V =
 * min(TSP, TBP)} and every peer kWh settles at {@code P_sell}, so the peer market is budget
 * balanced. When {@code SDR > 1} each seller sells {@code surplus·V/TSP} to peers and the rest to
 * the grid at λ_sell (= P_sell); every buyer buys its whole deficit from peers. When {@code SDR <
 * 1} every seller sells its whole surplus to peers and each buyer buys {@code deficit·SDR} from
 * peers and the rest from the grid at λ_buy. So each seller earns exactly {@code P_sell} per kWh of
 * surplus and each buyer pays exactly {@code P_buy} per kWh of deficit ({@code P_buy} is the
 * blended peer-and-grid price).
 *
 * <p>Level 1 clears the prosumers of one microgrid; level 2 clears the microgrids, each one trader
 * whose net position is the sum of its prosumers' (which equals its level-1 grid exchange). Level 2
 * reports how much of that exchange other microgrids serve; re-billing it to individual prosumers
 * is left to the caller.
 *
 * <p>Immutable and thread-safe; results are deterministic.
 */
public final class SupplyDemandRatioPricing {

  /**
   * The utility's prices: retail (buy from grid) and feed-in (sell to grid).
   *
   * @param gridBuyPrice λ_buy, cents/kWh, finite and more than {@code gridSellPrice}
   * @param gridSellPrice λ_sell, cents/kWh, finite and more than 0
   */
  public record Tariff(double gridBuyPrice, double gridSellPrice) {
    /** Validates {@code λ_buy > λ_sell > 0}. */
    public Tariff {
      if (!Double.isFinite(gridSellPrice) || !(gridSellPrice > 0)) {
        throw new IllegalArgumentException(
            "gridSellPrice %s must be finite and > 0".formatted(gridSellPrice));
      }
      if (!Double.isFinite(gridBuyPrice) || !(gridBuyPrice > gridSellPrice)) {
        throw new IllegalArgumentException(
            "gridBuyPrice %s must be finite and > gridSellPrice %s"
                .formatted(gridBuyPrice, gridSellPrice));
      }
    }
  }

  /**
   * A participant's net energy position for the trading period.
   *
   * @param id the participant's id, not blank
   * @param netEnergy kWh, finite: more than 0 is a surplus (seller), less than 0 a deficit (buyer)
   */
  public record NetPosition(String id, double netEnergy) {
    /** Validates the position. */
    public NetPosition {
      Objects.requireNonNull(id, "id");
      if (id.isBlank()) {
        throw new IllegalArgumentException("net position id '%s' must not be blank".formatted(id));
      }
      if (!Double.isFinite(netEnergy)) {
        throw new IllegalArgumentException(
            "net position %s: netEnergy %s must be finite".formatted(id, netEnergy));
      }
    }
  }

  /**
   * A microgrid: its prosumers' net positions.
   *
   * @param id the microgrid's id, not blank
   * @param prosumers its prosumers, unique ids
   */
  public record Microgrid(String id, List<NetPosition> prosumers) {
    /** Validates and copies. */
    public Microgrid {
      Objects.requireNonNull(id, "id");
      if (id.isBlank()) {
        throw new IllegalArgumentException("microgrid id '%s' must not be blank".formatted(id));
      }
      prosumers = List.copyOf(prosumers);
    }

    /**
     * The microgrid's net position: the sum of its prosumers'.
     *
     * @return the microgrid as one trader
     */
    public NetPosition netPosition() {
      double sum = 0;
      for (NetPosition p : prosumers) {
        sum += p.netEnergy();
      }
      return new NetPosition(id, sum);
    }
  }

  /**
   * One participant's settlement.
   *
   * @param id the participant's id
   * @param netEnergy its net position, kWh (more than 0 surplus, less than 0 deficit)
   * @param peerEnergy kWh sold to (seller) or bought from (buyer) peers, 0 or more
   * @param gridEnergy kWh sold to (seller) or bought from (buyer) the grid, 0 or more
   * @param cashFlow cents: more than 0 received by a seller, less than 0 paid by a buyer
   */
  public record Allocation(
      String id, double netEnergy, double peerEnergy, double gridEnergy, double cashFlow) {
    /** Checks for null. */
    public Allocation {
      Objects.requireNonNull(id, "id");
    }
  }

  /**
   * The clearing of one SDR market.
   *
   * @param totalSupply TSP, kWh
   * @param totalDemand TBP, kWh
   * @param sdr {@code TSP / TBP}; {@code +∞} when only supply, 1 when neither
   * @param sellPrice P_sell, cents/kWh
   * @param buyPrice P_buy, cents/kWh
   * @param peerVolume {@code min(TSP, TBP)}, kWh traded among participants
   * @param allocations per participant, in input order
   */
  public record Clearing(
      double totalSupply,
      double totalDemand,
      double sdr,
      double sellPrice,
      double buyPrice,
      double peerVolume,
      List<Allocation> allocations) {
    /** Copies the allocations. */
    public Clearing {
      allocations = List.copyOf(allocations);
    }
  }

  /**
   * Both levels of a two-level clearing.
   *
   * @param microgrids level 1, one clearing per microgrid in input order
   * @param interMicrogrid level 2, one allocation per microgrid (ids are microgrid ids)
   */
  public record TwoLevelClearing(List<Clearing> microgrids, Clearing interMicrogrid) {
    /** Copies the level-1 list. */
    public TwoLevelClearing {
      microgrids = List.copyOf(microgrids);
      Objects.requireNonNull(interMicrogrid, "interMicrogrid");
    }
  }

  private final Tariff tariff;

  private SupplyDemandRatioPricing(Tariff tariff) {
    this.tariff = tariff;
  }

  /**
   * Pricing under a grid tariff.
   *
   * @param tariff the utility's retail and feed-in prices
   * @return the pricing rule
   * @throws NullPointerException if {@code tariff} is null
   */
  public static SupplyDemandRatioPricing of(Tariff tariff) {
    return new SupplyDemandRatioPricing(Objects.requireNonNull(tariff, "tariff"));
  }

  /**
   * The tariff in use.
   *
   * @return λ_buy and λ_sell
   */
  public Tariff tariff() {
    return tariff;
  }

  /**
   * P_sell for a given SDR (the rule above).
   *
   * @param sdr supply–demand ratio, 0 or more (may be {@code +∞})
   * @return P_sell, cents/kWh, within {@code [λ_sell, λ_buy]}
   * @throws IllegalArgumentException if {@code sdr} is NaN or negative
   */
  public double sellPrice(double sdr) {
    checkSdr(sdr);
    double ls = tariff.gridSellPrice();
    double lb = tariff.gridBuyPrice();
    if (sdr >= 1) {
      return ls; // the formula gives λ_sell at SDR = 1; return it exactly, not rounded
    }
    double p = ls * lb / ((lb - ls) * sdr + ls);
    return Math.min(lb, Math.max(ls, p)); // clamps rounding only: exact p is in [ls, lb]
  }

  /**
   * P_buy for a given SDR (the rule above).
   *
   * @param sdr supply–demand ratio, 0 or more (may be {@code +∞})
   * @return P_buy, cents/kWh, within {@code [P_sell, λ_buy]}
   * @throws IllegalArgumentException if {@code sdr} is NaN or negative
   */
  public double buyPrice(double sdr) {
    checkSdr(sdr);
    double ls = tariff.gridSellPrice();
    double lb = tariff.gridBuyPrice();
    if (sdr >= 1) {
      return ls;
    }
    double ps = sellPrice(sdr);
    double p = ps * sdr + lb * (1 - sdr);
    return Math.min(lb, Math.max(ps, p)); // clamps rounding only: exact p is in [ps, lb]
  }

  private static void checkSdr(double sdr) {
    if (Double.isNaN(sdr) || sdr < 0) {
      throw new IllegalArgumentException("sdr %s must be >= 0 and not NaN".formatted(sdr));
    }
  }

  /**
   * Clears one SDR market (level 1 among prosumers, or level 2 among microgrids).
   *
   * @param participants net positions with unique ids; may be empty
   * @return SDR, prices and per-participant settlement
   * @throws IllegalArgumentException if two participants share an id
   * @throws NullPointerException if the list or an element is null
   */
  public Clearing clear(List<NetPosition> participants) {
    Objects.requireNonNull(participants, "participants");
    Set<String> ids = new HashSet<>();
    double tsp = 0;
    double tbp = 0;
    for (NetPosition p : participants) {
      Objects.requireNonNull(p, "participant");
      if (!ids.add(p.id())) {
        throw new IllegalArgumentException("participant id '%s' must be unique".formatted(p.id()));
      }
      if (p.netEnergy() > 0) {
        tsp += p.netEnergy();
      } else if (p.netEnergy() < 0) {
        tbp -= p.netEnergy();
      }
    }
    double sdr;
    if (tbp > 0) {
      sdr = tsp / tbp;
    } else {
      sdr = tsp > 0 ? Double.POSITIVE_INFINITY : 1.0;
    }
    double ps = sellPrice(sdr);
    double pb = buyPrice(sdr);
    double volume = Math.min(tsp, tbp);
    double sellerShare = tsp > 0 ? volume / tsp : 0; // of each surplus, sold to peers
    double buyerShare = tbp > 0 ? volume / tbp : 0; // of each deficit, bought from peers
    double lb = tariff.gridBuyPrice();
    double ls = tariff.gridSellPrice();
    List<Allocation> out = new ArrayList<>(participants.size());
    for (NetPosition p : participants) {
      double net = p.netEnergy();
      if (net > 0) {
        double peer = Math.min(net, net * sellerShare);
        double grid = net - peer;
        out.add(new Allocation(p.id(), net, peer, grid, peer * ps + grid * ls));
      } else if (net < 0) {
        double need = -net;
        double peer = Math.min(need, need * buyerShare);
        double grid = need - peer;
        out.add(new Allocation(p.id(), net, peer, grid, -(peer * ps + grid * lb)));
      } else {
        out.add(new Allocation(p.id(), 0, 0, 0, 0));
      }
    }
    return new Clearing(tsp, tbp, sdr, ps, pb, volume, out);
  }

  /**
   * Clears both levels: each microgrid among its prosumers, then the microgrids among themselves,
   * each with its net position.
   *
   * @param microgrids the microgrids, unique ids
   * @return level-1 clearings (input order) and the level-2 clearing
   * @throws IllegalArgumentException if two microgrids, or two prosumers of one microgrid, share an
   *     id
   * @throws NullPointerException if the list or an element is null
   */
  public TwoLevelClearing clearTwoLevel(List<Microgrid> microgrids) {
    Objects.requireNonNull(microgrids, "microgrids");
    List<Clearing> level1 = new ArrayList<>(microgrids.size());
    List<NetPosition> nets = new ArrayList<>(microgrids.size());
    for (Microgrid m : microgrids) {
      Objects.requireNonNull(m, "microgrid");
      level1.add(clear(m.prosumers()));
      nets.add(m.netPosition());
    }
    return new TwoLevelClearing(level1, clear(nets));
  }
}
