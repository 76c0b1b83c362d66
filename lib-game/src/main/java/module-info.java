/**
 * GridTrade Stackelberg game: the PETS scheme of Aggarwal Ch. 3 (docs/stackelberg.md). A leader
 * service provider, elected by a sealed second-price reverse auction, announces 24 hourly prices
 * found by a genetic algorithm; electric vehicles (followers) answer with their exact
 * cost-minimising charging schedules; every solution carries its optimality gap to a certified
 * upper bound. Also V2V energy trading after Moniruzzaman Ch. 4 (docs/v2v.md): the per-EV
 * environment, its exact dynamic-programming yardsticks and a seeded PPO learner on a small network
 * of our own.
 *
 * <p>Units: energy in kWh, prices in cents/kWh ({@code double}). Results are plain records; this
 * module does not depend on the ledger. Jenetics and ojAlgo are implementation details and never
 * appear in the API.
 */
module org.gridtrade.game {
  requires org.gridtrade.auction;
  requires io.jenetics.base;
  requires ojalgo;
  requires org.slf4j;

  exports org.gridtrade.game.stackelberg;
  exports org.gridtrade.game.v2v;
}
