package org.gridtrade.game.stackelberg;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The leader's hourly generation cost {@code Cost_h(P) = m_h P² + q_h P + r_h} (Aggarwal Eq. 3.6)
 * and its hourly capacity {@code P_h ≤ Energy_h^max} (Eq. 3.7).
 *
 * <p>All four lists hold 24 values, hour index 0 = 08:00. Coefficients are in [0, {@link
 * #MAX_COEFFICIENT}] (Aggarwal's model requires a convex increasing cost); a capacity is in (0,
 * {@link #MAX_CAPACITY}] or {@link Double#POSITIVE_INFINITY} for "unlimited". The bounds keep costs
 * and profits finite for any load the game can produce. Immutable.
 *
 * @param quadratic {@code m_h}, cents/kWh²
 * @param linear {@code q_h}, cents/kWh
 * @param constant {@code r_h}, cents
 * @param capacity {@code Energy_h^max}, kWh per hour
 */
public record GenerationCost(
    List<Double> quadratic, List<Double> linear, List<Double> constant, List<Double> capacity) {

  /** Aggarwal's daytime quadratic factor, 08:00–24:00 (hour indices 0..15). */
  public static final double THESIS_DAY_QUADRATIC = 5.5e-4;

  /** Aggarwal's night quadratic factor, 00:00–08:00 (hour indices 16..23). */
  public static final double THESIS_NIGHT_QUADRATIC = 4.0e-4;

  /** The largest cost coefficient m_h, q_h or r_h. */
  public static final double MAX_COEFFICIENT = 1e6;

  /** The largest finite hourly capacity, kWh. */
  public static final double MAX_CAPACITY = 1e12;

  /**
   * Validates and copies the lists.
   *
   * @throws IllegalArgumentException naming the list, the hour and the value
   */
  public GenerationCost {
    quadratic = check("costQuadratic", quadratic, false);
    linear = check("costLinear", linear, false);
    constant = check("costConstant", constant, false);
    capacity = check("capacity", capacity, true);
  }

  private static List<Double> check(String field, List<Double> values, boolean capacity) {
    Objects.requireNonNull(values, field);
    if (values.size() != Ev.HOURS) {
      throw new IllegalArgumentException(
          "%s has %d values; it needs one per hour, 24".formatted(field, values.size()));
    }
    for (int h = 0; h < Ev.HOURS; h++) {
      Double v = values.get(h);
      if (v == null || Double.isNaN(v)) {
        throw new IllegalArgumentException("%s[%d] %s must be a number".formatted(field, h, v));
      }
      if (capacity) {
        if (!(v > 0 && (v <= MAX_CAPACITY || v == Double.POSITIVE_INFINITY))) {
          throw new IllegalArgumentException(
              "%s[%d] %s must be in (0, %s] (or infinite: unlimited)"
                  .formatted(field, h, v, MAX_CAPACITY));
        }
      } else if (!(v >= 0 && v <= MAX_COEFFICIENT)) {
        throw new IllegalArgumentException(
            "%s[%d] %s must be in [0, %s]".formatted(field, h, v, MAX_COEFFICIENT));
      }
    }
    return List.copyOf(values);
  }

  /**
   * The cost model of Aggarwal's thesis (§3.4.1): {@code m_h = 5.5e-4} from 08:00 to 24:00, {@code
   * 4.0e-4} from 00:00 to 08:00, {@code q_h = r_h = 0}, unlimited capacity.
   *
   * @return the thesis's cost model
   */
  public static GenerationCost thesisDefaults() {
    return thesisDefaults(Double.POSITIVE_INFINITY);
  }

  /**
   * The cost model of Aggarwal's thesis with the same capacity in every hour.
   *
   * @param capacity kWh per hour, more than 0 or infinite
   * @return the thesis's cost model with that capacity
   */
  public static GenerationCost thesisDefaults(double capacity) {
    List<Double> m = new ArrayList<>();
    for (int h = 0; h < Ev.HOURS; h++) {
      m.add(h < 16 ? THESIS_DAY_QUADRATIC : THESIS_NIGHT_QUADRATIC);
    }
    List<Double> zero = Collections.nCopies(Ev.HOURS, 0.0);
    return new GenerationCost(m, zero, zero, Collections.nCopies(Ev.HOURS, capacity));
  }

  /**
   * This model with every coefficient multiplied by {@code factor} (capacity unchanged): a way to
   * make load shaping matter when revenue dwarfs cost.
   *
   * @param factor finite and 0 or more
   * @return the scaled model
   * @throws IllegalArgumentException when factor is negative or not finite
   */
  public GenerationCost scaled(double factor) {
    if (!Double.isFinite(factor) || factor < 0) {
      throw new IllegalArgumentException("factor %s must be finite and >= 0".formatted(factor));
    }
    return new GenerationCost(
        quadratic.stream().map(v -> v * factor).toList(),
        linear.stream().map(v -> v * factor).toList(),
        constant.stream().map(v -> v * factor).toList(),
        capacity);
  }

  /**
   * {@code Cost_h(load)}.
   *
   * @param hour hour index 0..23
   * @param load {@code P_h} in kWh
   * @return cost in cents
   */
  public double cost(int hour, double load) {
    return (quadratic.get(hour) * load + linear.get(hour)) * load + constant.get(hour);
  }

  /**
   * {@code Σ_h Cost_h(load_h)}.
   *
   * @param load 24 hourly loads in kWh
   * @return total cost in cents
   */
  public double totalCost(List<Double> load) {
    double c = 0;
    for (int h = 0; h < Ev.HOURS; h++) {
      c += cost(h, load.get(h));
    }
    return c;
  }
}
