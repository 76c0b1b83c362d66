package com.example.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.gridtrade.coalition.FormationResult;
import org.gridtrade.game.stackelberg.StackelbergSolution;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Runs each program as a user of the installed artifacts would, and checks what it found. */
class ProgramsTest {
  @Test
  void auction_electsTheCheapestSpAtTheSecondPrice_andClearsTheMarket() {
    AuctionProgram.Result r = AuctionProgram.run();
    assertEquals("sp-wind", r.leader());
    assertEquals(9.8, r.leaderPayment(), 1e-12);
    assertTrue(r.volume() > 0 && r.trades() > 0, r.toString());
  }

  @Test
  void market_clearsOnChainAtTheGateAndConservesCoins() {
    MarketProgram.Result r = MarketProgram.run();
    // Bids 18 and 12 c/kWh for 7 and 5 kWh, asks 8 and 9.5 c/kWh for 6 and 10 kWh: 12 kWh trade;
    // the 9.5 ask keeps 4 kWh, so no price above 9.5 clears the market: 9.5 c/kWh.
    assertEquals(12_000, r.volumeWh());
    assertEquals(95_000, r.priceMicroPerKWh());
    assertEquals(r.supplyBefore(), r.supplyAfter());
    assertEquals(0, r.escrowLeft());
  }

  @Test
  void game_leaderEarnsAtMostItsUpperBound() {
    StackelbergSolution s = GameProgram.run();
    assertTrue(s.profit() > 0 && s.profit() <= s.upperBound() + 1e-6, s.toString());
    assertEquals(24, s.prices().size());
  }

  @Test
  void coalition_formsAStablePartitionThatSavesLoss() {
    FormationResult r = CoalitionProgram.run();
    assertTrue(r.converged());
    assertTrue(r.coalitionLoss() <= r.standaloneLoss() + 1e-9);
  }

  @Test
  void ledger_reopensVerifies_andProvesTheTrade(@TempDir Path dir) {
    LedgerProgram.Result r = LedgerProgram.run(dir);
    assertEquals(1, r.heightAfterReopen());
    assertTrue(r.verified());
    assertTrue(r.proofVerifies());
    // The buyer paid 2,500 Wh at 150,000 micro-coins per kWh to the seller: 375,000.
    assertTrue(r.stateProofVerifies());
    assertEquals(375_000, r.provenSellerBalance());
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void network_threeNodesAgreeOnTheirBlocks() throws InterruptedException {
    assertEquals(64, NetworkProgram.run(3).toHex().length());
  }

  @Test
  void simulationProgram_repeatsItsChainForASeed() {
    org.gridtrade.ledger.Hash first = SimulationProgram.run(3, 7);
    assertEquals(first, SimulationProgram.run(3, 7));
    assertNotEquals(first, SimulationProgram.run(3, 8));
  }
}
