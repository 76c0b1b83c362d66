package org.gridtrade.market;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.gridtrade.auction.DemandResponseAuction;
import org.gridtrade.auction.DemandResponseResult;
import org.gridtrade.auction.DrInstance;
import org.gridtrade.auction.SpSelection;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Transaction;
import org.junit.jupiter.api.Test;

/**
 * The auctioneer's path from lib-auction's market to a certified round: rounding to the grid, the
 * round's spec, and the certificate every node accepts; the chain's IR payments against the
 * off-chain auction's.
 */
class DrAuctioneerTest {
  private static final int EVS = 20;
  private static final int SPS = 5;

  @Test
  void onGrid_isIdempotent_keepsIds_andTheSpecRefusesAnOffGridMarket() {
    for (long seed = 1; seed <= 20; seed++) {
      DrInstance raw = DrInstance.random(EVS, SPS, new SplittableRandom(seed));
      DrInstance grid = DrAuctioneer.onGrid(raw);
      assertThat(DrAuctioneer.onGrid(grid)).isEqualTo(grid);
      for (int i = 0; i < EVS; i++) {
        DrInstance.Ev e = grid.evs().get(i);
        assertThat(e.id()).isEqualTo(raw.evs().get(i).id());
        assertThat(e.willingness())
            .isCloseTo(
                raw.evs().get(i).willingness(), org.assertj.core.api.Assertions.within(1e-4));
        assertThat(e.eMax()).isLessThanOrEqualTo(raw.evs().get(i).eMax());
        assertThat(e.maxPrice()).isEqualTo(e.willingness()); // none given: w
      }
      assertThat(grid.eta() * 1e6).isEqualTo(Math.rint(grid.eta() * 1e6));
    }
    DrInstance raw = DrInstance.random(2, 1, new SplittableRandom(3));
    assertThatThrownBy(
            () -> DrAuctioneer.spec(raw, addresses(2, 0), addresses(1, 50), 75, 2_000, 10, 20))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not on the chain's grid");
    DrInstance wide = DrInstance.random(4, 3, new SplittableRandom(5));
    DrInstance excluding =
        new DrInstance(
            wide.evs(),
            wide.sps(),
            wide.eta(),
            wide.rho(),
            wide.xi(),
            Set.of(new DrInstance.Link(wide.evs().get(0).id(), wide.sps().get(0).id())));
    assertThatThrownBy(() -> DrAuctioneer.onGrid(excluding))
        .hasMessageContaining("excludes 1 links");
  }

  @Test
  void roundsOfTwentyEvsAndFiveSps_areCertifiedOnChain_andPayWhatTheOffChainIrRulePays() {
    long worst = 0;
    for (long seed = 1; seed <= 5; seed++) {
      DrInstance market =
          SpSelection.restrict(
              DrAuctioneer.onGrid(DrInstance.random(EVS, SPS, new SplittableRandom(seed))));
      assertThat(market.excludedLinks()).isEmpty();
      DemandResponseResult off = DemandResponseAuction.builder().build().run(market);
      try (MarketChain c =
          new MarketChain(1 + EVS + SPS, 1_000_000_000_000L, new DemandResponseMarket())) {
        List<KeyPair> evs = c.keys.subList(1, 1 + EVS);
        List<KeyPair> sps = c.keys.subList(1 + EVS, 1 + EVS + SPS);
        DrRoundSpec spec =
            DrAuctioneer.spec(
                market,
                evs.stream().map(KeyPair::address).toList(),
                sps.stream().map(KeyPair::address).toList(),
                DemandResponseAuction.DEFAULT_RETAIL_PRICE,
                2_000,
                10,
                20);
        assertThat(c.block(List.of(c.tx(c.operator(), DrCalls.open(spec)))).skipped()).isEmpty();
        List<Transaction> escrows = new ArrayList<>();
        evs.forEach(k -> escrows.add(c.tx(k, DrCalls.escrow(0))));
        assertThat(c.block(escrows).skipped()).isEmpty();
        DrAuctioneer.Certificate cert = DrAuctioneer.certificate(spec, market, off);
        var p = c.block(List.of(c.tx(c.operator(), cert.certify(0))));
        assertThat(p.skipped()).as("seed %d: %s", seed, p.skipped()).isEmpty();
        DrRound round = DemandResponseMarket.round(c.state(), 0).orElseThrow();
        assertThat(round.status()).isEqualTo(DrRound.Status.CERTIFIED);
        for (int i = 0; i < EVS; i++) {
          long chain = round.certificate().orElseThrow().evPaymentsMicro().get(i);
          long auction = Math.round(off.payments().evs().get(i).payment() * 1e4);
          worst = Math.max(worst, Math.abs(chain - auction));
        }
      }
    }
    System.out.println(
        "DR auctioneer: worst EV payment difference, chain vs auction, micro-coins " + worst);
  }

  private static List<Address> addresses(int n, int from) {
    return MarketChain.keys(from + n).subList(from, from + n).stream()
        .map(KeyPair::address)
        .toList();
  }
}
