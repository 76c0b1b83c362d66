package org.gridtrade.market;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.spi.LedgerModule;

/**
 * The on-chain modules of this library, by name: what a node runs for a genesis that names them.
 */
public final class MarketModules {
  private MarketModules() {}

  /**
   * A new instance of every module of this library.
   *
   * @return the double-auction market, the demand-response settlement, the sealed-bid auction and
   *     the SP selection, in the order of their names
   */
  public static List<LedgerModule> all() {
    return List.of(
        new DoubleAuctionMarket(),
        new DemandResponseMarket(),
        new SealedBidAuction(),
        new SpSelectionModule());
  }

  /**
   * The names of {@link #all()}, for {@link Genesis#withModules}.
   *
   * @return {@code ["double-auction", "dr-settlement", "sealed-auction", "sp-selection"]}
   */
  public static List<String> names() {
    return all().stream().map(LedgerModule::name).toList();
  }

  /**
   * A new instance of the module of this library with a name.
   *
   * @param name a module name
   * @return the module, or empty if this library has none of that name
   */
  public static Optional<LedgerModule> named(String name) {
    Objects.requireNonNull(name, "name");
    return all().stream().filter(m -> m.name().equals(name)).findFirst();
  }

  /**
   * The modules a genesis names.
   *
   * @param genesis the chain's genesis
   * @return one new instance of each module it names, in its order
   * @throws IllegalArgumentException naming a module the genesis names that this library does not
   *     provide
   */
  public static List<LedgerModule> forGenesis(Genesis genesis) {
    Objects.requireNonNull(genesis, "genesis");
    List<LedgerModule> out = new ArrayList<>();
    for (String name : genesis.modules()) {
      out.add(
          named(name)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "the genesis names module '%s', which this node does not run; it runs %s"
                              .formatted(name, names()))));
    }
    return List.copyOf(out);
  }
}
