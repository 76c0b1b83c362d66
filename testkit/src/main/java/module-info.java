/**
 * GridTrade's testkit: what tests and simulations of GridTrade chains share. A {@link
 * org.gridtrade.testkit.ManualClock} that only moves when told, a {@link
 * org.gridtrade.testkit.SimulatedNetwork} that runs block engines on an in-process network in clock
 * steps (delivering due messages and ticking every engine by itself), deterministic {@link
 * org.gridtrade.testkit.TestKeys} and a {@link org.gridtrade.testkit.TransferSource} of valid
 * signed transfers. Meant for test scope, simulations and benchmarks, not for running nodes.
 */
module org.gridtrade.testkit {
  requires transitive org.gridtrade.consensus;

  exports org.gridtrade.testkit;
}
