package org.gridtrade.examples.auction;

import java.util.List;
import java.util.Locale;
import org.gridtrade.auction.MagnitudeOfEnergyShare;
import org.gridtrade.auction.MagnitudeOfEnergyShare.Prosumer;

/**
 * Magnitude of energy share (Ahmad et al. §IV; docs/auction.md): a cluster with a generation
 * surplus derates every authorised prosumer's supply by the same factor; one prosumer whose
 * measured peak exceeds its declared installed capacity by more than 15 % loses its authorisation
 * to supply.
 */
public final class SurplusShareExample {
  private SurplusShareExample() {}

  /**
   * Runs the example.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    List<Prosumer> cluster =
        List.of(
            new Prosumer("roof-a", 18.0, 6.0, 20.0, 19.0),
            new Prosumer("roof-b", 9.0, 5.0, 10.0, 10.5),
            new Prosumer("roof-c", 14.0, 4.0, 10.0, 13.2),
            new Prosumer("flat-d", 0.0, 7.5, 0.0, 0.0),
            new Prosumer("farm-e", 30.0, 12.0, 40.0, 31.0));
    MagnitudeOfEnergyShare mes = MagnitudeOfEnergyShare.withDefaultTolerance();
    MagnitudeOfEnergyShare.Allocation a = mes.allocate(cluster);
    System.out.printf(
        Locale.ROOT,
        "Magnitude of energy share, capacity tolerance %.0f %%%n%n",
        100 * mes.tolerance());
    for (MagnitudeOfEnergyShare.Revocation r : a.revoked()) {
      System.out.printf(Locale.ROOT, "revoked   %s: %s%n", r.id(), r.reason());
    }
    System.out.printf(
        Locale.ROOT,
        "surplus   %.2f kWh over %.2f kWh of authorised installed capacity%n",
        a.surplus(),
        a.totalInstalledCapacity());
    System.out.printf(
        Locale.ROOT,
        "derating  DF %.4f, PSA %.4f, grid import %.2f kWh%n%n",
        a.deratingFactor(),
        a.psa(),
        a.gridImport());
    for (MagnitudeOfEnergyShare.Share s : a.shares()) {
      System.out.printf(Locale.ROOT, "  %-7s may supply %6.2f kWh%n", s.id(), s.mes());
    }
    System.out.printf(Locale.ROOT, "  total   %6.2f kWh%n", a.totalMes());
  }
}
