package org.gridtrade.market;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
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
    if (!DrRoundSpec.fits(spec.evs().size(), spec.sps().size())) {
      throw new IllegalArgumentException(
          ("a round of %d EVs and %d SPs does not fit one call (DrRoundSpec.fits): open it with"
                  + " openInParts")
              .formatted(spec.evs().size(), spec.sps().size()));
    }
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
          ("evPrices has %d entries and spPrices %d; one certify call holds at least 1 of each, at"
                  + " most %d together and at most %d numbers (DrRoundSpec.fits): post a larger"
                  + " certificate with certifyInParts")
              .formatted(n, m, DrRoundSpec.MAX_PARTIES, DrRoundSpec.MAX_CERTIFIED));
    }
    if (allocationWh.length != n) {
      throw new IllegalArgumentException(
          "allocationWh has %d rows, evPrices %d entries; they must match"
              .formatted(allocationWh.length, n));
    }
    ByteBuffer b = ByteBuffer.allocate(DrState.CERTIFY_HEADER + 8 * (n * m + n + m));
    b.put(DrState.CERTIFY).putLong(round).putShort((short) n).putShort((short) m);
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

  /**
   * Opens a round of any size up to {@link DrRoundSpec#MAX_ROUND_EVS} EVs, {@link
   * DrRoundSpec#MAX_ROUND_SPS} SPs and {@link DrRoundSpec#MAX_ROUND_CELLS} cells (only an authority
   * of the chain may): one {@link #open} call when the round {@link DrRoundSpec#fits}, else parts,
   * to send in order from one account (consecutive nonces). Each part carries the next bytes of the
   * round and the offset they start at; the part that completes the round opens it, with the id it
   * would have had from one {@link #open} call then. A part at offset 0 starts over, dropping the
   * account's unfinished round.
   *
   * @param spec the round
   * @return the calls, 1 or more
   */
  public static List<Payload.Call> openInParts(DrRoundSpec spec) {
    Objects.requireNonNull(spec, "spec");
    if (DrRoundSpec.fits(spec.evs().size(), spec.sps().size())) {
      return List.of(open(spec));
    }
    byte[] body = DrState.encodeSpec(spec);
    int piece = Payload.Call.MAX_DATA_BYTES - DrState.OPEN_PART_HEADER;
    List<Payload.Call> out = new ArrayList<>();
    for (int at = 0; at < body.length; at += piece) {
      int len = Math.min(piece, body.length - at);
      out.add(
          new Payload.Call(
              DemandResponseMarket.NAME,
              ByteBuffer.allocate(DrState.OPEN_PART_HEADER + len)
                  .put(DrState.OPEN_PART)
                  .putInt(at)
                  .put(body, at, len)
                  .array()));
    }
    return List.copyOf(out);
  }

  /**
   * The operator posts a certificate of any round's size: one {@link #certify} call when the round
   * {@link DrRoundSpec#fits}, else in parts: the allocation row by row, then the EVs' prices, then
   * the SPs', each part at the offset (in numbers) it starts at. Send the calls in order from the
   * operator's account; the part that completes the certificate is checked and paid exactly as one
   * {@link #certify} call. A part at offset 0 starts over.
   *
   * @param round the round's id
   * @param allocationWh {@code x[i][j]}, one row per EV, one column per SP
   * @param evPricesMicroPerKWh u_i per EV
   * @param spPricesMicroPerKWh α_j per SP
   * @return the calls, 1 or more
   * @throws IllegalArgumentException if the dimensions do not match or exceed a round's
   */
  public static List<Payload.Call> certifyInParts(
      long round, long[][] allocationWh, long[] evPricesMicroPerKWh, long[] spPricesMicroPerKWh) {
    int n = evPricesMicroPerKWh.length;
    int m = spPricesMicroPerKWh.length;
    if (DrRoundSpec.sizeProblem(n, m).isPresent()) {
      throw new IllegalArgumentException(
          "evPrices has %d entries and spPrices %d; a round has 1 to %d EVs, 1 to %d SPs and at most %d cells"
              .formatted(
                  n,
                  m,
                  DrRoundSpec.MAX_ROUND_EVS,
                  DrRoundSpec.MAX_ROUND_SPS,
                  DrRoundSpec.MAX_ROUND_CELLS));
    }
    if (allocationWh.length != n) {
      throw new IllegalArgumentException(
          "allocationWh has %d rows, evPrices %d entries; they must match"
              .formatted(allocationWh.length, n));
    }
    long[] all = new long[n * m + n + m];
    for (int i = 0; i < n; i++) {
      if (allocationWh[i].length != m) {
        throw new IllegalArgumentException(
            "allocationWh[%d] has %d entries, spPrices %d; they must match"
                .formatted(i, allocationWh[i].length, m));
      }
      System.arraycopy(allocationWh[i], 0, all, i * m, m);
    }
    if (DrRoundSpec.fits(n, m)) {
      return List.of(certify(round, allocationWh, evPricesMicroPerKWh, spPricesMicroPerKWh));
    }
    System.arraycopy(evPricesMicroPerKWh, 0, all, n * m, n);
    System.arraycopy(spPricesMicroPerKWh, 0, all, n * m + n, m);
    int piece = (Payload.Call.MAX_DATA_BYTES - DrState.CERTIFY_PART_HEADER) / 8;
    List<Payload.Call> out = new ArrayList<>();
    for (int at = 0; at < all.length; at += piece) {
      int len = Math.min(piece, all.length - at);
      ByteBuffer b =
          ByteBuffer.allocate(DrState.CERTIFY_PART_HEADER + 8 * len)
              .put(DrState.CERTIFY_PART)
              .putLong(round)
              .putInt(at);
      for (int k = 0; k < len; k++) {
        b.putLong(all[at + k]);
      }
      out.add(new Payload.Call(DemandResponseMarket.NAME, b.array()));
    }
    return List.copyOf(out);
  }
}
