package org.gridtrade.examples.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.gridtrade.auction.DemandResponseAuction;
import org.gridtrade.auction.DemandResponseResult;
import org.gridtrade.auction.DrFlow;
import org.gridtrade.auction.DrInstance;
import org.gridtrade.consensus.BlockEngine;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.Payload;
import org.gridtrade.market.DemandResponseMarket;
import org.gridtrade.market.DrAuctioneer;
import org.gridtrade.market.DrCalls;
import org.gridtrade.market.DrRound;
import org.gridtrade.market.DrRoundSpec;

/**
 * The evening's demand response on chain: one round of lib-market's {@link DemandResponseMarket} at
 * 18:00, after the hour's double-auction markets.
 *
 * <ol>
 *   <li>the market operator (the auctioneer) opens the round with the market the day's auction ran
 *       on, in whole Wh and micro-coins ({@link DrAuctioneer#spec});
 *   <li>once the round is on every node, every EV escrows its maximum payment;
 *   <li>the operator posts the auction's allocation with its certificate ({@link
 *       DrAuctioneer#certificate}); every node checks it and pays by the IR rule in integers;
 *   <li>each SP settles its cells with the EV's countersigned token (Aggarwal §4.4.3), one cell of
 *       each EV per batch, since each EV's next token names the settlement before it;
 *   <li>the operator's heartbeats carry the chain to the round's settle height, where it closes and
 *       pays the operator the budget surplus.
 * </ol>
 *
 * <p>A round larger than one call holds ({@link DrRoundSpec#fits}) is opened and certified in
 * parts. A market larger than a round may be ({@value DrRoundSpec#MAX_ROUND_EVS} EVs, {@value
 * DrRoundSpec#MAX_ROUND_SPS} SPs, {@value DrRoundSpec#MAX_ROUND_CELLS} cells) settles as signed
 * trades instead ({@link CommunityDay}), and this class then does nothing.
 */
final class DemoDemandResponse {
  /** Blocks after the open within which the EVs escrow and the operator certifies. */
  static final long CERTIFY_BLOCKS = 12;

  /**
   * The fewest blocks after the open within which the SPs settle; the round closes at the end of
   * the last. An EV's cells settle one per block (each token names the settlement before it), so a
   * round with many SPs gets {@link #settleBlocks more}.
   */
  static final long SETTLE_BLOCKS = 24;

  /**
   * Blocks after the open within which the SPs of a round settle: {@value #SETTLE_BLOCKS}, or if
   * more, the certify window, one block per SP (an EV's cells settle one per block), one per
   * {@value #SETTLEMENTS_PER_SP} EVs (an SP's settlements per batch) and 6 to spare.
   *
   * @param evs the round's EVs
   * @param sps the round's SPs
   * @return blocks
   */
  static long settleBlocks(int evs, int sps) {
    long batches = sps + (evs + SETTLEMENTS_PER_SP - 1) / SETTLEMENTS_PER_SP;
    return Math.max(SETTLE_BLOCKS, CERTIFY_BLOCKS + batches + 6);
  }

  /**
   * The most settlements one SP sends in a batch, well within how far ahead of its next nonce a
   * node's mempool takes its transactions (64).
   */
  static final int SETTLEMENTS_PER_SP = 32;

  /** ε of the certificate, micro-coins per kWh of supply: 0.2 cent. */
  static final long TOLERANCE_MICRO_PER_KWH = 2_000;

  /**
   * How far an EV's payment or an SP's revenue on chain may be from lib-auction's IR rule on the
   * same market, micro-coins: the chain pays in integers on the allocation rounded to a Wh.
   */
  static final long PAYMENT_TOLERANCE_MICRO = 100;

  /** How long an SP's token is valid after it was issued, ms. */
  static final long TOKEN_VALIDITY_MILLIS = 3_600_000;

  private enum Phase {
    OPEN,
    ESCROW,
    CERTIFY,
    SETTLE,
    CLOSE,
    DONE
  }

  private final DrInstance market;
  private final DemandResponseResult result;
  private final Map<String, KeyPair> keys;
  private Phase phase = Phase.OPEN;
  private DrRoundSpec spec;
  private long round = -1;
  private DrAuctioneer.Certificate certificate;

  /**
   * @param market the market the day's auction ran on (on the chain's grid)
   * @param result the auction's result
   * @param keys every participant's key, by name (the operator's, the EVs' and the SPs' among them)
   */
  DemoDemandResponse(DrInstance market, DemandResponseResult result, Map<String, KeyPair> keys) {
    this.market = Objects.requireNonNull(market, "market");
    this.result = Objects.requireNonNull(result, "result");
    this.keys = Objects.requireNonNull(keys, "keys");
  }

  /** Whether the day's demand response runs on chain: the market fits one round. */
  static boolean onChain(DrInstance market) {
    int n = market.evs().size();
    int m = market.sps().size();
    return n <= DrRoundSpec.MAX_ROUND_EVS
        && m <= DrRoundSpec.MAX_ROUND_SPS
        && n * m <= DrRoundSpec.MAX_ROUND_CELLS;
  }

  /**
   * The next batch, decided from the chain so far: empty except at 18:00, and once the round has
   * closed.
   *
   * @param reference a node whose chain holds every batch before this one
   * @param hour the game hour
   * @return the batch
   */
  List<CommunityDay.Order> next(BlockEngine reference, int hour) {
    if (hour != CommunityDay.DR_HOUR || !onChain(market)) {
      return List.of();
    }
    LedgerState state = reference.ledger().state();
    long height = reference.ledger().height();
    switch (phase) {
      case OPEN -> {
        // The chain's round has every cell; links Alg. 7 left out have no capacity there either
        // (their SP's first Wh costs more than the EV's maximum price).
        DrInstance all =
            new DrInstance(market.evs(), market.sps(), market.eta(), market.rho(), market.xi());
        spec =
            DrAuctioneer.spec(
                all,
                market.evs().stream().map(e -> address(e.id())).toList(),
                market.sps().stream().map(s -> address(s.id())).toList(),
                DemandResponseAuction.DEFAULT_RETAIL_PRICE,
                TOLERANCE_MICRO_PER_KWH,
                height + CERTIFY_BLOCKS,
                height + settleBlocks(market.evs().size(), market.sps().size()));
        round = DemandResponseMarket.count(state);
        phase = Phase.ESCROW;
        // One call when the round fits one, else its parts in order (consecutive nonces).
        return DrCalls.openInParts(spec).stream()
            .map(c -> order(CommunityDay.OPERATOR, c))
            .toList();
      }
      case ESCROW -> {
        Optional<DrRound> r = DemandResponseMarket.round(state, round);
        if (r.isEmpty() || !r.get().spec().equals(spec)) {
          throw new IllegalStateException(
              "round %d on chain is %s, not the round the operator opened".formatted(round, r));
        }
        phase = Phase.CERTIFY;
        List<CommunityDay.Order> out = new ArrayList<>();
        for (DrInstance.Ev e : market.evs()) {
          out.add(order(e.id(), DrCalls.escrow(round)));
        }
        return out;
      }
      case CERTIFY -> {
        phase = Phase.SETTLE;
        certificate = DrAuctioneer.certificate(spec, market, result);
        return certificate.certifyCalls(round).stream()
            .map(c -> order(CommunityDay.OPERATOR, c))
            .toList();
      }
      case SETTLE -> {
        DrRound r = DemandResponseMarket.round(state, round).orElseThrow();
        if (r.status() != DrRound.Status.CERTIFIED) {
          phase = Phase.DONE; // the planned-versus-chain check reports it
          return List.of();
        }
        DrRound.Certificate c = r.certificate().orElseThrow();
        long now = reference.ledger().head().timestamp();
        List<CommunityDay.Order> out = new ArrayList<>();
        int[] sent = new int[market.sps().size()];
        for (int i = 0; i < market.evs().size(); i++) {
          for (int j = 0; j < market.sps().size(); j++) {
            if (c.cellPaymentsMicro().get(i).get(j) > 0
                && !c.settled().get(i).get(j)
                && sent[j] < SETTLEMENTS_PER_SP) {
              sent[j]++;
              String sp = market.sps().get(j).id();
              Payload.DemandResponseSettlement token =
                  DemandResponseMarket.settlement(
                      state,
                      CommunityDay.CHAIN_ID,
                      round,
                      i,
                      j,
                      now + TOKEN_VALIDITY_MILLIS,
                      now,
                      keys.get(sp),
                      keys.get(market.evs().get(i).id()));
              out.add(order(sp, DrCalls.settle(round, j, token)));
              break; // the EV's next token names this settlement
            }
          }
        }
        if (!out.isEmpty()) {
          return out;
        }
        phase = Phase.CLOSE;
        return next(reference, hour);
      }
      case CLOSE -> {
        if (height < spec.settleByHeight()) {
          return List.of(DemoElection.heartbeat(keys));
        }
        phase = Phase.DONE;
        return List.of();
      }
      default -> {
        return List.of();
      }
    }
  }

  /** Every demand-response round as a node holds it, by id. */
  static List<DrRound> rounds(LedgerState state) {
    List<DrRound> out = new ArrayList<>();
    for (long id = 0; id < DemandResponseMarket.count(state); id++) {
      out.add(DemandResponseMarket.round(state, id).orElseThrow());
    }
    return List.copyOf(out);
  }

  /**
   * How the chain's round differs from the day's auction, one line per difference: each EV's
   * payment against lib-auction's IR rule on the same market (at most {@value
   * #PAYMENT_TOLERANCE_MICRO} micro-coins apart), each SP's revenue (at most that much per EV of
   * the round), each cell's supply against the auction's (under 2 Wh apart).
   *
   * @param market the market the auction ran on
   * @param result the auction's result
   * @param rounds the rounds a node holds
   * @return the differences; empty when they agree, or when the market does not fit a round and the
   *     chain holds none
   */
  static List<String> offChainDifferences(
      DrInstance market, DemandResponseResult result, List<DrRound> rounds) {
    List<String> out = new ArrayList<>();
    if (!onChain(market)) {
      if (!rounds.isEmpty()) {
        out.add("demand response: %d rounds on chain, none planned".formatted(rounds.size()));
      }
      return out;
    }
    if (rounds.size() != 1 || rounds.get(0).certificate().isEmpty()) {
      out.add(
          "demand response: %d rounds on chain%s"
              .formatted(rounds.size(), rounds.isEmpty() ? "" : ", " + rounds.get(0).status()));
      return out;
    }
    DrRound.Certificate c = rounds.get(0).certificate().get();
    int n = market.evs().size();
    int m = market.sps().size();
    double[][] exact = new double[n][m];
    for (DrFlow f : result.allocation()) {
      exact[index(market.evs().stream().map(DrInstance.Ev::id).toList(), f.evId())][
              index(market.sps().stream().map(DrInstance.Sp::id).toList(), f.spId())] =
          f.supply() * 1e3;
    }
    for (int i = 0; i < n; i++) {
      String ev = market.evs().get(i).id();
      long chain = c.evPaymentsMicro().get(i);
      long off = Math.round(result.payments().evs().get(i).payment() * 1e4);
      if (Math.abs(chain - off) > PAYMENT_TOLERANCE_MICRO) {
        out.add(
            "demand response: %s paid %d micro-coins on chain, %d by lib-auction's IR rule"
                .formatted(ev, chain, off));
      }
      for (int j = 0; j < m; j++) {
        long x = c.allocationWh().get(i).get(j);
        if (Math.abs(x - exact[i][j]) >= 2) {
          out.add(
              "demand response: %s's supply from %s is %d Wh on chain, %.1f Wh in the auction"
                  .formatted(ev, market.sps().get(j).id(), x, exact[i][j]));
        }
      }
    }
    for (int j = 0; j < m; j++) {
      long chain = 0;
      for (int i = 0; i < n; i++) {
        chain += c.cellPaymentsMicro().get(i).get(j);
      }
      long off = Math.round(result.payments().sps().get(j).revenue() * 1e4);
      if (Math.abs(chain - off) > PAYMENT_TOLERANCE_MICRO * n) {
        out.add(
            "demand response: %s earns %d micro-coins on chain, %d by lib-auction's IR rule"
                .formatted(market.sps().get(j).id(), chain, off));
      }
    }
    return out;
  }

  /**
   * How the chain's round differs from the plan: the round closed, every cell that pays was settled
   * by its EV's token, and its allocation is the certificate the operator posted.
   *
   * @param rounds the rounds a node holds
   * @return the differences
   */
  List<String> planDifferences(List<DrRound> rounds) {
    List<String> out = new ArrayList<>();
    if (!onChain(market)) {
      return out;
    }
    if (round < 0 || rounds.size() <= round) {
      out.add("demand response: the round was not opened on chain");
      return out;
    }
    DrRound r = rounds.get((int) round);
    if (r.status() != DrRound.Status.CLOSED || r.certificate().isEmpty()) {
      out.add("demand response: round %d is %s, not CLOSED".formatted(round, r.status()));
      return out;
    }
    DrRound.Certificate c = r.certificate().get();
    long[][] posted = certificate.allocationWh();
    for (int i = 0; i < market.evs().size(); i++) {
      for (int j = 0; j < market.sps().size(); j++) {
        if (c.allocationWh().get(i).get(j) != posted[i][j]) {
          out.add(
              "demand response: cell [%d][%d] holds %d Wh, the operator posted %d"
                  .formatted(i, j, c.allocationWh().get(i).get(j), posted[i][j]));
        }
        if (!c.settled().get(i).get(j)) {
          out.add(
              "demand response: %s's cell with %s was never settled by its token"
                  .formatted(market.evs().get(i).id(), market.sps().get(j).id()));
        }
      }
    }
    return out;
  }

  private static int index(List<String> ids, String id) {
    int i = ids.indexOf(id);
    if (i < 0) {
      throw new IllegalStateException("no participant " + id);
    }
    return i;
  }

  private Address address(String name) {
    return Objects.requireNonNull(keys.get(name), () -> "no key for " + name).address();
  }

  private static CommunityDay.Order order(String signer, Payload payload) {
    return new CommunityDay.Order(CommunityDay.DR_HOUR, signer, payload);
  }
}
