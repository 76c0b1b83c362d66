package org.gridtrade.examples.study;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class WashRingStudyTest {
  private static final int RING = 3;
  private static final int HOURS = 100;

  @Test
  void ring_gainsTrustFromLedgerRatings_butNoneFromRatingsOfDeliveredEnergy() {
    WashRingStudy.Result r = WashRingStudy.run(new WashRingStudy.Settings(4, HOURS, RING));
    assertThat(r.hours()).hasSize(HOURS);
    // Through the market every rating the ring sends is refused: it delivered nothing.
    assertThat(r.ringRatingsSent()).isEqualTo(RING * HOURS);
    assertThat(r.ringRatingsRefused()).isEqualTo(r.ringRatingsSent());
    assertThat(r.hours()).allSatisfy(h -> assertThat(h.marketRingTrust()).isZero());
    assertThat(r.hours()).allSatisfy(h -> assertThat(h.marketRingTrp()).isEqualTo(1));
    assertThat(r.marketRingTrp4Hour()).isEqualTo(-1);
    // On the ledger's own ratings the same ring climbs to TRP 4, past the honest seller.
    assertThat(r.ledgerRingTrp4Hour()).isBetween(24, HOURS);
    WashRingStudy.Hour last = r.hours().get(HOURS - 1);
    assertThat(last.ledgerRingTrust()).isGreaterThan(last.ledgerHonestTrust());
    // The honest seller is rated every hour on both chains, with the same scores at nearly the
    // same times and coins, so its trust nearly agrees (the ledger path is the oracle).
    assertThat(r.honestRatingsAccepted()).isEqualTo(HOURS);
    assertThat(last.marketHonestTrust()).isCloseTo(last.ledgerHonestTrust(), within(0.02));
    assertThat(last.marketHonestTrust()).isGreaterThan(3.5);
    // Each undelivered 10 kWh pays the 12 c/kWh penalty, to the ring's own buyer: the ring loses
    // only the fees of its asks, bids and readings (its refused ratings never reach a block).
    assertThat(r.ringPenaltyMicro()).isEqualTo((long) RING * HOURS * 1_200_000);
    assertThat(r.ringCostMicro()).isEqualTo(3L * RING * HOURS);
  }

  @Test
  void sameSeed_sameTrust() {
    WashRingStudy.Settings s = new WashRingStudy.Settings(9, 6, 2);
    assertThat(WashRingStudy.run(s).hours()).isEqualTo(WashRingStudy.run(s).hours());
  }
}
