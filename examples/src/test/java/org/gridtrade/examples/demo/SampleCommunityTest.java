package org.gridtrade.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.gridtrade.ledger.Units;
import org.junit.jupiter.api.Test;

public class SampleCommunityTest {

  @Test
  void clear_tradesOnlyWhatHouseholdsHave_withinThePriceRange() {
    long floor = Units.centsPerKWhToMicroPerKWh(SampleCommunity.PRICE_FLOOR_CENTS);
    long cap = Units.centsPerKWhToMicroPerKWh(SampleCommunity.PRICE_CAP_CENTS);
    for (long seed = 1; seed <= 20; seed++) {
      SampleCommunity c = SampleCommunity.create(new Random(seed), 2 + (int) seed);
      for (int hour = 0; hour < 24; hour++) {
        SampleCommunity.Hour h = c.clear(hour);
        Map<Integer, Long> sold = new HashMap<>();
        Map<Integer, Long> bought = new HashMap<>();
        for (SampleCommunity.Match m : h.matches()) {
          assertThat(m.seller()).isNotEqualTo(m.buyer());
          assertThat(m.energyWh()).isGreaterThanOrEqualTo(10);
          sold.merge(m.seller(), m.energyWh(), Long::sum);
          bought.merge(m.buyer(), m.energyWh(), Long::sum);
        }
        // A seller sells at most its export, a buyer buys at most its import.
        sold.forEach((i, wh) -> assertThat(wh).isLessThanOrEqualTo(h.netWh()[i]));
        bought.forEach((i, wh) -> assertThat(wh).isLessThanOrEqualTo(-h.netWh()[i]));
        if (!h.matches().isEmpty()) {
          assertThat(h.priceMicroPerKWh()).isBetween(floor, cap);
        }
      }
    }
  }

  @Test
  void clear_nightHours_prosumersSellFromTheirBatteries() {
    SampleCommunity c = SampleCommunity.create(new Random(1), 4);
    for (int hour = 0; hour < 5; hour++) {
      assertThat(c.clear(hour).matches()).isNotEmpty();
    }
  }

  @Test
  void create_sameSeed_sameCommunityAndTrades() {
    SampleCommunity a = SampleCommunity.create(new Random(42), 10);
    SampleCommunity b = SampleCommunity.create(new Random(42), 10);

    assertThat(a.households()).isEqualTo(b.households());
    for (int hour = 0; hour < 24; hour++) {
      assertThat(a.clear(hour).matches()).isEqualTo(b.clear(hour).matches());
    }
  }
}
