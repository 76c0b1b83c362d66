package org.gridtrade.game.stackelberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Values whose products would overflow a double are refused where they enter the library. */
class ArithmeticRangeTest {

  @Test
  void priceBounds_hugePrice_rejectedNamingFieldValueAndRange() {
    assertThatThrownBy(() -> new PriceBounds(8, 1e300))
        .hasMessageContaining("pMax 1.0E300 must be in [0, 1000000.0]");
    assertThatThrownBy(() -> new SpBid("SP1", 1e300))
        .hasMessageContaining("SP SP1: price 1.0E300 must be in [0, 1000000.0]");
    new PriceBounds(0, PriceBounds.MAX_PRICE);
  }

  @Test
  void ev_hugeEnergy_rejectedNamingFieldValueAndRange() {
    assertThatThrownBy(() -> new Ev("EV1", 0, 23, 1e300, 0, 1e300))
        .hasMessageContaining("EV EV1: energy 1.0E300 must be in [0, 1000000.0]");
    new Ev("EV1", 0, 0, Ev.MAX_ENERGY, 0, Ev.MAX_ENERGY);
  }

  @Test
  void generationCost_hugeCoefficientOrOverflowingCapacity_rejected() {
    List<Double> m = new ArrayList<>(GenerationCost.thesisDefaults().quadratic());
    List<Double> zero = Collections.nCopies(24, 0.0);
    List<Double> unlimited = Collections.nCopies(24, Double.POSITIVE_INFINITY);
    m.set(5, 1e300);
    assertThatThrownBy(() -> new GenerationCost(m, zero, zero, unlimited))
        .hasMessageContaining("costQuadratic[5] 1.0E300 must be in [0, 1000000.0]");
    List<Double> cap = new ArrayList<>(unlimited);
    cap.set(3, 1e308);
    assertThatThrownBy(() -> new GenerationCost(zero, zero, zero, cap))
        .hasMessageContaining("capacity[3] 1.0E308 must be in (0, 1.0E12]");
    // unlimited stays expressible
    assertThat(new GenerationCost(zero, zero, zero, unlimited).capacity()).hasSize(24);
  }

  @Test
  void respond_pricesWhoseBillWouldOverflow_rejected() {
    Ev ev = new Ev("EV1", 0, 23, 10, 0, 1);
    List<Double> prices = new ArrayList<>(Collections.nCopies(24, 10.0));
    prices.set(7, 1e300);
    assertThatThrownBy(() -> FollowerBestResponse.respond(ev, prices))
        .hasMessageContaining("prices[7] 1.0E300 must be in [-1000000.0, 1000000.0]");
    prices.set(7, PriceBounds.MAX_PRICE);
    assertThat(FollowerBestResponse.respond(ev, prices).bill()).isFinite();
  }
}
