package org.gridtrade.market;

import java.nio.ByteBuffer;
import java.util.Objects;
import org.gridtrade.ledger.Payload;
import org.gridtrade.market.internal.DrState;

/**
 * Builds the payloads of transactions to a {@link DemandResponseMarket}; sign them as any other
 * payload. The module checks every call again on chain, since a call may come from anyone.
 */
public final class DrCalls {
  private DrCalls() {}

  /**
   * Opens a round (only an authority of the chain may; it becomes the round's operator).
   *
   * @param spec the round
   * @return the payload
   */
  public static Payload.Call open(DrRoundSpec spec) {
    Objects.requireNonNull(spec, "spec");
    byte[] body = DrState.encodeSpec(spec);
    return new Payload.Call(
        DemandResponseMarket.NAME,
        ByteBuffer.allocate(1 + body.length).put(DrState.OPEN).put(body).array());
  }

  /**
   * An EV of the round escrows its maximum payment ({@link DemandResponseMarket#escrowMicro}), up
   * to the certify height, once.
   *
   * @param round the round's id
   * @return the payload
   */
  public static Payload.Call escrow(long round) {
    return new Payload.Call(
        DemandResponseMarket.NAME,
        ByteBuffer.allocate(9).put(DrState.ESCROW).putLong(round).array());
  }

  /**
   * The auctioneer (the round's operator) posts the final allocation with its certificate, once
   * every EV has escrowed and up to the certify height.
   *
   * @param round the round's id
   * @param allocationWh {@code x[i][j]}, SP j's supply to EV i in Wh: one row per EV of the round,
   *     one column per SP
   * @param evPricesMicroPerKWh u_i per EV, micro-coins per kWh of supply
   * @param spPricesMicroPerKWh α_j per SP, micro-coins per kWh of supply
   * @return the payload
   * @throws IllegalArgumentException if the dimensions do not fit a round
   */
  public static Payload.Call certify(
      long round, long[][] allocationWh, long[] evPricesMicroPerKWh, long[] spPricesMicroPerKWh) {
    int n = evPricesMicroPerKWh.length;
    int m = spPricesMicroPerKWh.length;
    if (!DrRoundSpec.fits(n, m)) {
      throw new IllegalArgumentException(
          ("evPrices has %d entries and spPrices %d; a round has at least 1 of each, at most %d"
                  + " together and at most %d numbers in its certificate (DrRoundSpec.fits)")
              .formatted(n, m, DrRoundSpec.MAX_PARTIES, DrRoundSpec.MAX_CERTIFIED));
    }
    if (allocationWh.length != n) {
      throw new IllegalArgumentException(
          "allocationWh has %d rows, evPrices %d entries; they must match"
              .formatted(allocationWh.length, n));
    }
    ByteBuffer b = ByteBuffer.allocate(1 + 8 + 2 + 8 * (n * m + n + m));
    b.put(DrState.CERTIFY).putLong(round).put((byte) n).put((byte) m);
    for (int i = 0; i < n; i++) {
      if (allocationWh[i].length != m) {
        throw new IllegalArgumentException(
            "allocationWh[%d] has %d entries, spPrices %d; they must match"
                .formatted(i, allocationWh[i].length, m));
      }
      for (int j = 0; j < m; j++) {
        b.putLong(allocationWh[i][j]);
      }
    }
    for (long v : evPricesMicroPerKWh) {
      b.putLong(v);
    }
    for (long v : spPricesMicroPerKWh) {
      b.putLong(v);
    }
    return new Payload.Call(DemandResponseMarket.NAME, b.array());
  }

  /**
   * An SP settles one certified cell with the EV's signed demand-response message (Aggarwal §4.4.3,
   * Eq. 4.21–4.25), in the ledger's own format ({@link Payload.DemandResponseSettlement}): the
   * request names the EV's index in the round and its wallet, the credit is its escrow, the token's
   * {@code pre_record} is {@link DemandResponseMarket#preRecord}, the energy and payment are the
   * cell's. The sender must be the cell's SP, whose key signed the token.
   *
   * @param round the round's id
   * @param sp the SP's index in the round
   * @param settlement the signed message ({@link DemandResponseMarket#settlement} builds one)
   * @return the payload
   */
  public static Payload.Call settle(
      long round, int sp, Payload.DemandResponseSettlement settlement) {
    Objects.requireNonNull(settlement, "settlement");
    return new Payload.Call(DemandResponseMarket.NAME, DrState.encodeSettle(round, sp, settlement));
  }

  /**
   * An EV rates the SP of one of its cells, once, after the SP settled the cell with the EV's token
   * (the energy was delivered and acknowledged). The call names the SP, so that anyone reading the
   * chain's blocks can fold the rating into the SP's trust ({@link
   * DemandResponseMarket#ratingDecoder()}); the module refuses it unless it is the cell's SP.
   *
   * @param round the round, certified, as {@link DemandResponseMarket#round} gives it
   * @param ev the EV's index in the round (the sender)
   * @param sp the SP's index in the round
   * @param score 1 to 5
   * @return the payload
   * @throws IllegalArgumentException if the round is not certified, an index is out of range or the
   *     score is not 1 to 5
   */
  public static Payload.Call rate(DrRound round, int ev, int sp, int score) {
    Objects.requireNonNull(round, "round");
    if (round.certificate().isEmpty()) {
      throw new IllegalArgumentException(
          "round %d is %s: it has no certified cells to rate"
              .formatted(round.id(), round.status()));
    }
    if (ev < 0 || ev >= round.spec().evs().size() || sp < 0 || sp >= round.spec().sps().size()) {
      throw new IllegalArgumentException(
          "cell [%d][%d] is outside round %d's %d EVs and %d SPs"
              .formatted(ev, sp, round.id(), round.spec().evs().size(), round.spec().sps().size()));
    }
    if (score < 1 || score > 5) {
      throw new IllegalArgumentException("score %d must be in [1, 5]".formatted(score));
    }
    byte[] d =
        ByteBuffer.allocate(DrState.RATE_BYTES)
            .put(DrState.RATE)
            .putLong(round.id())
            .putInt(ev)
            .putInt(sp)
            .put((byte) score)
            .put(round.spec().sps().get(sp).address().bytes())
            .array();
    return new Payload.Call(DemandResponseMarket.NAME, d);
  }
}
