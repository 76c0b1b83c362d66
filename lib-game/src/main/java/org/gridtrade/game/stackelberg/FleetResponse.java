package org.gridtrade.game.stackelberg;

import java.util.List;
import java.util.Objects;
import org.gridtrade.game.stackelberg.internal.Fleet;

/**
 * Every EV's best response to a price vector, aggregated into the hourly load, for callers that
 * evaluate many price vectors (a leader's own search, a what-if tool). The same rule as {@link
 * FollowerBestResponse}, without allocation per call: the hours are ranked once per price vector
 * and each EV touches only its cheapest hours.
 *
 * <p>Not thread-safe (it owns scratch buffers): use one instance per thread.
 */
public final class FleetResponse {
  private final Fleet fleet;
  private final Fleet.Workspace workspace = new Fleet.Workspace();

  private FleetResponse(Fleet fleet) {
    this.fleet = fleet;
  }

  /**
   * A responder for a fleet.
   *
   * @param evs the EVs
   * @return the responder
   */
  public static FleetResponse of(List<Ev> evs) {
    Objects.requireNonNull(evs, "evs");
    return new FleetResponse(StackelbergGame.fleet(List.copyOf(evs)));
  }

  /**
   * Number of EVs.
   *
   * @return the fleet size
   */
  public int size() {
    return fleet.size();
  }

  /**
   * The load {@code P_h = Σ_j x_jh} of every EV's best response to {@code prices}.
   *
   * @param prices 24 prices (not checked: finite numbers expected)
   * @param load receives the 24 hourly loads in kWh
   * @throws IllegalArgumentException when an array does not have 24 elements
   */
  public void load(double[] prices, double[] load) {
    if (prices.length != Ev.HOURS || load.length != Ev.HOURS) {
      throw new IllegalArgumentException(
          "prices (%d) and load (%d) must have 24 elements".formatted(prices.length, load.length));
    }
    fleet.load(prices, workspace, load);
  }
}
