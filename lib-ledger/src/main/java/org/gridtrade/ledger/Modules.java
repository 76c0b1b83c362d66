package org.gridtrade.ledger;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.gridtrade.ledger.spi.LedgerModule;

/**
 * The modules a chain runs: the built-in ones for the chain's own payloads, and the on-chain
 * modules its genesis names, in the order of their names. Immutable.
 */
final class Modules {
  /** A chain that runs the built-in modules only. */
  static final Modules BUILT_IN = new Modules(new TreeMap<>());

  private static final Set<String> BUILT_IN_NAMES =
      Set.of(
          BuiltInModules.COINS.name(),
          BuiltInModules.TRADES.name(),
          BuiltInModules.METERING.name(),
          BuiltInModules.DEMAND_RESPONSE.name());

  private final TreeMap<String, LedgerModule> custom;
  private final List<LedgerModule> hooks;

  private Modules(TreeMap<String, LedgerModule> custom) {
    this.custom = custom;
    this.hooks = Collections.unmodifiableList(new ArrayList<>(custom.values()));
  }

  /**
   * The modules for a genesis: exactly the ones it names.
   *
   * @throws IllegalArgumentException if a module is missing, not named by the genesis, named twice,
   *     has a bad name, or shares a namespace or a built-in module's name
   */
  static Modules of(Genesis genesis, List<? extends LedgerModule> modules) {
    Objects.requireNonNull(genesis, "genesis");
    Objects.requireNonNull(modules, "modules");
    TreeMap<String, LedgerModule> byName = new TreeMap<>();
    TreeMap<Integer, String> namespaces = new TreeMap<>();
    for (LedgerModule m : modules) {
      Objects.requireNonNull(m, "modules element");
      String name = Payload.checkModuleName("module name", m.name());
      if (BUILT_IN_NAMES.contains(name)) {
        throw new IllegalArgumentException(
            "module name '%s' is a built-in module's name".formatted(name));
      }
      int ns = m.namespace();
      if (ns < LedgerModule.FIRST_NAMESPACE || ns > 255) {
        throw new IllegalArgumentException(
            "module '%s' namespace %d must be in %d..255"
                .formatted(name, ns, LedgerModule.FIRST_NAMESPACE));
      }
      if (byName.put(name, m) != null) {
        throw new IllegalArgumentException("module '%s' is given twice".formatted(name));
      }
      String other = namespaces.put(ns, name);
      if (other != null) {
        throw new IllegalArgumentException(
            "modules '%s' and '%s' both own namespace %d".formatted(other, name, ns));
      }
    }
    Set<String> named = genesis.modules();
    if (!byName.keySet().equals(named)) {
      TreeSet<String> missing = new TreeSet<>(named);
      missing.removeAll(byName.keySet());
      TreeSet<String> extra = new TreeSet<>(byName.keySet());
      extra.removeAll(named);
      throw new IllegalArgumentException(
          "modules %s do not match the genesis's modules %s (missing %s, not in the genesis %s)"
              .formatted(byName.keySet(), named, missing, extra));
    }
    return byName.isEmpty() ? BUILT_IN : new Modules(byName);
  }

  /** The module that executes a payload, or null if this chain runs none. */
  LedgerModule forPayload(Payload p) {
    if (p instanceof Payload.Call c) {
      return custom.get(c.module());
    } else if (p instanceof Payload.Transfer
        || p instanceof Payload.Stake
        || p instanceof Payload.Unstake
        || p instanceof Payload.Slash
        || p instanceof Payload.Reward) {
      return BuiltInModules.COINS;
    } else if (p instanceof Payload.EnergyTrade || p instanceof Payload.Rating) {
      return BuiltInModules.TRADES;
    } else if (p instanceof Payload.MeterReading) {
      return BuiltInModules.METERING;
    } else if (p instanceof Payload.DemandResponseSettlement) {
      return BuiltInModules.DEMAND_RESPONSE;
    }
    return null;
  }

  /** The modules whose end-of-block hooks run, in the order of their names. */
  List<LedgerModule> hooks() {
    return hooks;
  }

  /** The names of the on-chain modules (not the built-in ones). */
  Set<String> names() {
    return Collections.unmodifiableSet(custom.keySet());
  }

  static boolean isBuiltIn(LedgerModule m) {
    return m instanceof BuiltInModules.BuiltIn;
  }
}
