package org.gridtrade.game.stackelberg;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.ojalgo.optimisation.Expression;
import org.ojalgo.optimisation.ExpressionsBasedModel;
import org.ojalgo.optimisation.Optimisation;
import org.ojalgo.optimisation.Variable;

/** Independent oracles and instance generators for the tests: ojAlgo's LP and QP solvers. */
final class Oracles {
  private Oracles() {}

  /** One EV's LP (Aggarwal Eq. 3.15) solved by ojAlgo: the optimal schedule. */
  static double[] lpBestResponse(Ev ev, double[] prices) {
    ExpressionsBasedModel model = new ExpressionsBasedModel();
    Expression sum = model.addExpression("energy").level(ev.energy());
    List<Variable> vars = new ArrayList<>();
    for (int h = ev.start(); h <= ev.end(); h++) {
      Variable x = model.addVariable("x" + h).lower(ev.alphaMin()).upper(ev.alphaMax());
      x.weight(prices[h]);
      sum.set(x, 1);
      vars.add(x);
    }
    Optimisation.Result r = model.minimise();
    if (!r.getState().isOptimal()) {
      throw new AssertionError("LP not optimal: " + r.getState() + " for " + ev);
    }
    double[] x = new double[Ev.HOURS];
    for (int k = 0; k < vars.size(); k++) {
      x[ev.start() + k] = r.doubleValue(k);
    }
    return x;
  }

  /** The minimum generation cost over all feasible schedules, as a QP solved by ojAlgo. */
  static double qpMinimumCost(List<Ev> evs, GenerationCost cost) {
    ExpressionsBasedModel model = new ExpressionsBasedModel();
    Variable[] p = new Variable[Ev.HOURS];
    Expression[] balance = new Expression[Ev.HOURS];
    Expression objective = model.addExpression("cost").weight(1);
    double constant = 0;
    for (int h = 0; h < Ev.HOURS; h++) {
      p[h] = model.addVariable("P" + h).lower(0);
      double cap = cost.capacity().get(h);
      if (Double.isFinite(cap)) {
        p[h].upper(cap);
      }
      balance[h] = model.addExpression("balance" + h).level(0);
      balance[h].set(p[h], -1);
      objective.set(p[h], p[h], cost.quadratic().get(h));
      objective.set(p[h], cost.linear().get(h));
      constant += cost.constant().get(h);
    }
    int j = 0;
    for (Ev ev : evs) {
      Expression sum = model.addExpression("energy" + j).level(ev.energy());
      for (int h = ev.start(); h <= ev.end(); h++) {
        Variable x = model.addVariable("x" + j + "_" + h).lower(ev.alphaMin()).upper(ev.alphaMax());
        sum.set(x, 1);
        balance[h].set(x, 1);
      }
      j++;
    }
    Optimisation.Result r = model.minimise();
    if (!r.getState().isOptimal()) {
      throw new AssertionError("QP not optimal: " + r.getState());
    }
    double c = constant;
    for (int h = 0; h < Ev.HOURS; h++) {
      double v = r.doubleValue(h);
      c += (cost.quadratic().get(h) * v + cost.linear().get(h)) * v;
    }
    return c;
  }

  /** A random feasible EV. */
  static Ev randomEv(String id, SplittableRandom rng) {
    int start = rng.nextInt(24);
    int end = start + rng.nextInt(24 - start);
    int m = end - start + 1;
    double alphaMax = 0.5 + rng.nextDouble() * 10;
    double alphaMin = rng.nextBoolean() ? 0 : rng.nextDouble() * alphaMax;
    if (rng.nextInt(10) == 0) {
      alphaMin = alphaMax;
    }
    double energy = m * alphaMin + rng.nextDouble() * m * (alphaMax - alphaMin);
    if (rng.nextInt(10) == 0) {
      energy = m * (rng.nextBoolean() ? alphaMin : alphaMax);
    }
    return new Ev(id, start, end, energy, alphaMin, alphaMax);
  }

  /** Random prices: distinct reals, or a few levels (many ties). */
  static double[] randomPrices(SplittableRandom rng, boolean ties) {
    double[] p = new double[Ev.HOURS];
    for (int h = 0; h < Ev.HOURS; h++) {
      p[h] = ties ? 8 + rng.nextInt(3) : 8 + rng.nextDouble() * 6;
    }
    return p;
  }

  static List<Double> list(double[] a) {
    List<Double> l = new ArrayList<>();
    for (double v : a) {
      l.add(v);
    }
    return l;
  }
}
