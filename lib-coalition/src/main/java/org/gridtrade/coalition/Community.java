package org.gridtrade.coalition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.gridtrade.coalition.internal.Network;

/**
 * A validated set of prosumers in an area, with the line-loss model that prices their transfers:
 * the input of {@link CoalitionFormation}. Immutable and thread-safe.
 *
 * <p>Every prosumer must lie inside the area and ids must be distinct. The loss model is called
 * once per prosumer (distance to the EDC) and once per seller–buyer pair here, and every rate it
 * returns is checked; a model that throws or returns a rate outside {@code [0, 1)} is reported as
 * an {@link IllegalArgumentException} naming the distance, so a faulty user model cannot corrupt a
 * formation run. A market with only sellers or only buyers is valid: everyone trades with the EDC.
 */
public final class Community {
  /**
   * Largest number of prosumers a community accepts: the seller–buyer distance and rate matrices
   * are dense, at most 2 × 2,500² doubles (100 MB) at this size.
   */
  public static final int MAX_PROSUMERS = 5_000;

  private final Area area;
  private final LineLossModel lossModel;
  private final List<Prosumer> prosumers;
  private final Map<String, Integer> index;
  private final Network network;

  private Community(Area area, LineLossModel lossModel, List<Prosumer> prosumers) {
    this.area = Objects.requireNonNull(area, "area");
    this.lossModel = Objects.requireNonNull(lossModel, "lossModel");
    Objects.requireNonNull(prosumers, "prosumers");
    if (prosumers.isEmpty()) {
      throw new IllegalArgumentException("prosumers: the set is empty; at least one is needed");
    }
    if (prosumers.size() > MAX_PROSUMERS) {
      throw new IllegalArgumentException(
          "prosumers: %d exceeds the limit of %d".formatted(prosumers.size(), MAX_PROSUMERS));
    }
    this.prosumers = List.copyOf(prosumers);
    this.index = new HashMap<>();
    int n = this.prosumers.size();
    double[] bal = new double[n];
    double[] x = new double[n];
    double[] y = new double[n];
    List<String> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Prosumer p = this.prosumers.get(i);
      if (index.putIfAbsent(p.id(), i) != null) {
        throw new IllegalArgumentException(
            "prosumers[%d]: id '%s' is a duplicate of prosumers[%d]; ids must be unique"
                .formatted(i, p.id(), index.get(p.id())));
      }
      if (!area.contains(p.x(), p.y())) {
        throw new IllegalArgumentException(
            ("prosumer %s at (%s, %s) lies outside the area [0, %s] × [0, %s] (x in [0, width], y"
                    + " in [0, height])")
                .formatted(p.id(), p.x(), p.y(), area.width(), area.height()));
      }
      bal[i] = p.balance();
      x[i] = p.x();
      y[i] = p.y();
      ids.add(p.id());
    }
    this.network = new Network(ids, bal, x, y, area.edcX(), area.edcY(), this::checkedRate);
  }

  /**
   * A community with Moniruzzaman's loss model for the area ({@link LineLossModel#thesisDefault}).
   *
   * @param area the area
   * @param prosumers the prosumers, at least one, distinct ids, all inside the area
   * @return the community
   * @throws IllegalArgumentException if the set is empty, has duplicate ids or a prosumer outside
   *     the area
   */
  public static Community of(Area area, List<Prosumer> prosumers) {
    return new Community(area, LineLossModel.thesisDefault(area), prosumers);
  }

  /**
   * A community with a given loss model.
   *
   * @param area the area
   * @param lossModel the line-loss model
   * @param prosumers the prosumers, at least one, distinct ids, all inside the area
   * @return the community
   * @throws IllegalArgumentException if the set is empty, has duplicate ids, a prosumer outside the
   *     area, or the model returns a bad rate
   */
  public static Community of(Area area, LineLossModel lossModel, List<Prosumer> prosumers) {
    return new Community(area, lossModel, prosumers);
  }

  private double checkedRate(double d) {
    double r;
    try {
      r = lossModel.lossRate(d);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "loss model %s failed at distance %s km: %s".formatted(lossModel, d, e), e);
    }
    if (!(r >= 0 && r < 1)) {
      throw new IllegalArgumentException(
          "loss model %s returned rate %s at distance %s km; a rate must be in [0, 1)"
              .formatted(lossModel, r, d));
    }
    return r;
  }

  /**
   * The area.
   *
   * @return the area
   */
  public Area area() {
    return area;
  }

  /**
   * The line-loss model.
   *
   * @return the model
   */
  public LineLossModel lossModel() {
    return lossModel;
  }

  /**
   * The prosumers in input order.
   *
   * @return an unmodifiable list
   */
  public List<Prosumer> prosumers() {
    return prosumers;
  }

  /**
   * A prosumer by id.
   *
   * @param id the id
   * @return the prosumer, or empty
   */
  public Optional<Prosumer> prosumer(String id) {
    Integer i = index.get(id);
    return i == null ? Optional.empty() : Optional.of(prosumers.get(i));
  }

  /**
   * The loss a prosumer incurs acting alone: its whole surplus or deficit traded with the EDC (Eq.
   * 3.8).
   *
   * @param id the prosumer's id
   * @return kWh lost
   * @throws IllegalArgumentException if the id is unknown
   */
  public double standaloneLoss(String id) {
    return network.standaloneLoss(indexOf(id));
  }

  /**
   * The singleton proof score (Eq. 3.4): {@code (P_i − C_i) − E_id^lo} for a seller, 0 otherwise.
   *
   * @param id the prosumer's id
   * @return the score
   * @throws IllegalArgumentException if the id is unknown
   */
  public double singletonProofScore(String id) {
    return network.singletonScore(indexOf(id));
  }

  /**
   * The distance between two prosumers, or between a prosumer and the EDC ({@value Transfer#EDC}).
   *
   * @param a an id or {@value Transfer#EDC}
   * @param b an id or {@value Transfer#EDC}
   * @return the distance in km
   * @throws IllegalArgumentException if an id is unknown
   */
  public double distance(String a, String b) {
    double[] pa = point(a);
    double[] pb = point(b);
    return Math.hypot(pa[0] - pb[0], pa[1] - pb[1]);
  }

  private double[] point(String id) {
    if (Transfer.EDC.equals(id)) {
      return new double[] {area.edcX(), area.edcY()};
    }
    Prosumer p = prosumers.get(indexOf(id));
    return new double[] {p.x(), p.y()};
  }

  int indexOf(String id) {
    Integer i = index.get(id);
    if (i == null) {
      throw new IllegalArgumentException("no prosumer with id '%s'".formatted(id));
    }
    return i;
  }

  Network network() {
    return network;
  }

  @Override
  public String toString() {
    return "Community[%d prosumers, %s, %s]".formatted(prosumers.size(), area, lossModel);
  }
}
