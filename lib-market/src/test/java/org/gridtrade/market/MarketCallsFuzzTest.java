package org.gridtrade.market;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Ledger;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TxResult;

/**
 * Coverage-guided fuzz targets (Jazzer) for the market modules' calls: arbitrary call data, sent by
 * the operator, a trader or an EV of a chain that holds markets and demand-response rounds in every
 * stage, is applied or refused with a reason; it never throws out of the ledger, and a refused call
 * leaves the block it is proposed in with the state root of an empty block. The modules' rating
 * decoders read any call without throwing.
 *
 * <p>Without {@code JAZZER_FUZZ} each target replays its inputs under {@code
 * src/test/resources/org/gridtrade/market/MarketCallsFuzzTestInputs/<method>/} (valid calls of
 * every operation); the module's build then fuzzes each target for {@code ${jazzer.duration}}.
 */
class MarketCallsFuzzTest {
  private static final Fixture FIXTURE = new Fixture();

  @FuzzTest
  void doubleAuctionCall_anyData_appliedOrRefusedWithoutChange(byte[] bytes) {
    FIXTURE.check(DoubleAuctionMarket.NAME, bytes);
  }

  @FuzzTest
  void drSettlementCall_anyData_appliedOrRefusedWithoutChange(byte[] bytes) {
    FIXTURE.check(DemandResponseMarket.NAME, bytes);
  }

  /** A chain with a cleared market that settles on delivery, an open one, and two DR rounds. */
  private static final class Fixture {
    final MarketChain c;
    final List<KeyPair> senders;

    Fixture() {
      c = new MarketChain(8, 1_000_000_000_000L, MarketModules.all());
      KeyPair buyer = c.keys.get(1);
      KeyPair seller = c.keys.get(2);
      Instant start = Instant.ofEpochMilli(MarketChain.T0 + 2_000L);
      MarketSpec delivered =
          new MarketSpec(ClearingRule.UNIFORM_PRICE, 500_000, 3, start, start.plusSeconds(2))
              .withDelivery(new DeliveryTerms(100_000, 40));
      c.block(List.of(c.tx(c.operator(), MarketCalls.open(delivered))));
      c.block(
          List.of(
              c.tx(buyer, MarketCalls.bid(0, 100_000, 2_000)),
              c.tx(seller, MarketCalls.ask(0, 60_000, 2_000))));
      c.advanceTo(5);
      c.block(List.of(c.tx(c.operator(), MarketCalls.reportDelivery(0, 1, 2_000))));
      c.block(
          List.of(
              c.tx(
                  c.operator(),
                  MarketCalls.open(
                      new MarketSpec(
                          ClearingRule.MCAFEE,
                          0,
                          1_000,
                          MarketChain.DELIVERY,
                          MarketChain.DELIVERY.plusSeconds(900))))));
      // Demand response: round 0 certified, round 1 open (its EVs have not escrowed).
      List<Address> evs = List.of(c.keys.get(3).address(), c.keys.get(4).address());
      List<Address> sps = List.of(c.keys.get(5).address(), c.keys.get(6).address());
      long h = c.ledger.height();
      DrTestMarkets.Market mk = DrTestMarkets.random(new Random(3), evs, sps, h + 50, h + 100);
      DrTestMarkets.Market open = DrTestMarkets.random(new Random(4), evs, sps, h + 60, h + 110);
      c.block(
          List.of(
              c.tx(c.operator(), DrCalls.open(mk.spec())),
              c.tx(c.operator(), DrCalls.open(open.spec()))));
      c.block(
          List.of(c.tx(c.keys.get(3), DrCalls.escrow(0)), c.tx(c.keys.get(4), DrCalls.escrow(0))));
      DrTestMarkets.Cert cert = DrTestMarkets.certificate(mk);
      c.block(List.of(c.tx(c.operator(), DrCalls.certify(0, cert.x(), cert.u(), cert.alpha()))));
      senders = List.of(c.operator(), buyer, seller, c.keys.get(3), c.keys.get(5));
    }

    void check(String module, byte[] bytes) {
      if (bytes.length < 1 || bytes.length > Payload.Call.MAX_DATA_BYTES + 1) {
        return;
      }
      KeyPair sender = senders.get((bytes[0] & 0xff) % senders.size());
      Payload.Call call = new Payload.Call(module, Arrays.copyOfRange(bytes, 1, bytes.length));
      Transaction tx = c.tx(sender, call);
      c.unuse(sender); // nothing is appended: the next input uses the same nonce
      LedgerState state = c.state();
      long time = MarketChain.T0 + (c.ledger.height() + 1) * 1_000L;
      TxResult r = state.check(tx, time);
      assertThat(r).isNotNull();
      Markets.ratingDecoder().decode(tx);
      DemandResponseMarket.ratingDecoder().decode(tx);
      DemandResponseMarket.ratingDecoder().traded(tx);
      if (r instanceof TxResult.Rejected rejected) {
        assertThat(rejected.detail()).isNotBlank();
        Ledger.Proposal with = c.ledger.propose(List.of(tx), c.operator().address(), time);
        Ledger.Proposal without = c.ledger.propose(new ArrayList<>(), c.operator().address(), time);
        assertThat(with.skipped()).hasSize(1);
        assertThat(with.block().header().stateRoot())
            .isEqualTo(without.block().header().stateRoot());
      }
    }
  }
}
