package org.gridtrade.market;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TxResult;
import org.gridtrade.ledger.spi.LedgerModule;
import org.gridtrade.ledger.spi.ModuleContext;
import org.gridtrade.ledger.spi.RatingDecoder;
import org.gridtrade.market.internal.DrMath;
import org.gridtrade.market.internal.DrState;
import org.gridtrade.market.internal.ModuleSupport;

/**
 * Demand-response settlement on chain (Aggarwal Alg. 8 and §4.4.3; docs/markets.md,
 * "Demand-response settlement"): the iterative auction runs off chain; its auctioneer posts the
 * final allocation with a certificate, its dual prices, and every node checks in O(I·J) that the
 * allocation is feasible and optimal within the round's tolerance, computes the payments of the
 * individually rational rule in integers and moves the coins, or refuses the call and changes
 * nothing. Each EV→SP payment is then released by the EV's countersigned demand-response message.
 *
 * <p><b>Calls</b> ({@link DrCalls}): {@code open} (an authority; rounds are numbered 0, 1, …),
 * {@code escrow} (each EV of the round, once, up to the certify height: {@link #escrowMicro}),
 * {@code certify} (the round's operator, once, after every EV escrowed, up to the certify height),
 * {@code settle} (an SP, once per cell, up to the settle height), {@code rate} (an EV, once per
 * cell its token settled, naming the SP and the cell's payment). A round not certified by its
 * certify height expires and returns every escrow; at its settle height a certified round closes.
 */
public final class DemandResponseMarket implements LedgerModule {
  /** The module's name in {@link Payload.Call} and in the genesis. */
  public static final String NAME = DrState.NAME;

  /** Creates the module; it holds no state of its own. */
  public DemandResponseMarket() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int namespace() {
    return DrState.NAMESPACE;
  }

  @Override
  public Optional<TxResult.Rejected> execute(ModuleContext ctx, Transaction tx) {
    return DrState.execute(ctx, tx, true);
  }

  @Override
  public void endBlock(ModuleContext ctx) {
    DrState.endBlock(ctx);
  }

  /**
   * How many rounds were opened; their ids are 0 to {@code count - 1}.
   *
   * @param state a ledger state
   * @return the count
   */
  public static long count(LedgerState state) {
    return DrState.count(Objects.requireNonNull(state, "state"));
  }

  /**
   * A round with its escrow, certificate and payments.
   *
   * @param state a ledger state
   * @param id the round's id
   * @return the round, or empty
   */
  public static Optional<DrRound> round(LedgerState state, long id) {
    return DrState.round(Objects.requireNonNull(state, "state"), id);
  }

  /**
   * What an EV of a round escrows: {@code ⌈q_i × T_i^max / 1000⌉} micro-coins, its maximum price
   * times the most supply it can be allocated. No payment of the IR rule exceeds it.
   *
   * @param spec the round
   * @param ev the EV's index
   * @return micro-coins
   * @throws IndexOutOfBoundsException if the round has no such EV
   */
  public static long escrowMicro(DrRoundSpec spec, int ev) {
    Objects.checkIndex(ev, spec.evs().size());
    return DrMath.escrowMicro(spec, ev);
  }

  /**
   * The {@code pre_record} the next token of an EV must name (Aggarwal Eq. 4.23): a hash bound to
   * the chain, the round and the EV for its first settlement, then the id of its last settling
   * transaction.
   *
   * @param state a ledger state
   * @param round the round's id
   * @param ev the EV's index
   * @return the hash, or empty if the round is not certified or has no such EV
   */
  public static Optional<Hash> preRecord(LedgerState state, long round, int ev) {
    return DrState.preRecord(Objects.requireNonNull(state, "state"), round, ev);
  }

  /**
   * The signed demand-response message that settles one certified cell, with the fields the module
   * expects: the request {@code ID ‖ WID ‖ credit} names the EV's index, wallet and escrow; the
   * token {@code credit ‖ t ‖ pre_record ‖ timestamp}; the cell's energy and payment. In a
   * deployment the SP signs the token and the EV countersigns on its own device; this method does
   * both for a holder of both keys (tests, simulations).
   *
   * @param state the state the settlement will follow (for the escrow and the {@code pre_record})
   * @param chainId the chain id
   * @param round the round's id
   * @param ev the EV's index
   * @param sp the SP's index
   * @param validUntil the token's validity deadline, epoch ms
   * @param timestamp when the token is issued, epoch ms, at most {@code validUntil}
   * @param spKeys the SP's keys (they sign the token)
   * @param evKeys the EV's keys (they countersign)
   * @return the message
   * @throws IllegalArgumentException if the round does not exist, is not certified, or the cell
   *     pays nothing
   * @throws IndexOutOfBoundsException if the round has no such EV or SP
   */
  public static Payload.DemandResponseSettlement settlement(
      LedgerState state,
      int chainId,
      long round,
      int ev,
      int sp,
      long validUntil,
      long timestamp,
      KeyPair spKeys,
      KeyPair evKeys) {
    DrRound r =
        round(state, round)
            .orElseThrow(
                () -> new IllegalArgumentException("round %d does not exist".formatted(round)));
    DrRound.Certificate c =
        r.certificate()
            .orElseThrow(
                () -> new IllegalArgumentException("round %d is not certified".formatted(round)));
    Objects.checkIndex(ev, r.spec().evs().size());
    Objects.checkIndex(sp, r.spec().sps().size());
    long credit = r.escrowMicro().get(ev);
    long payment = c.cellPaymentsMicro().get(ev).get(sp);
    if (payment <= 0) {
      throw new IllegalArgumentException(
          "cell [%d][%d] of round %d pays nothing; it needs no settlement"
              .formatted(ev, sp, round));
    }
    Address wallet = r.spec().evs().get(ev).address();
    return Payload.DemandResponseSettlement.sign(
        chainId,
        new Payload.DemandResponseSettlement.Request(ev, wallet, credit),
        new Payload.DemandResponseSettlement.Token(
            credit, validUntil, preRecord(state, round, ev).orElseThrow(), timestamp),
        c.allocationWh().get(ev).get(sp),
        payment,
        spKeys,
        evKeys);
  }

  /**
   * An EV's rating of the SP of one of its cells ({@link DrCalls#rate}).
   *
   * @param state a ledger state
   * @param round the round's id
   * @param ev the EV's index
   * @param sp the SP's index
   * @return 1 to 5, or empty if not rated
   */
  public static OptionalInt rating(LedgerState state, long round, int ev, int sp) {
    return DrState.rating(Objects.requireNonNull(state, "state"), round, ev, sp);
  }

  /**
   * Reads the module's settlements and ratings from a chain's transactions, so that an SP's trust
   * can grow with the ratings of the energy it delivered in demand response: give it to {@code
   * org.gridtrade.consensus.trust.TrustIndex} or to the trust-stake consensus, beside {@link
   * Markets#ratingDecoder()}. A settlement ({@link DrCalls#settle}) is a trade of the cell's
   * payment between the SP and the EV's wallet, counted when it happens; a rating ({@link
   * DrCalls#rate}) rates the SP it names. It reads the calls' bytes only.
   *
   * @return the decoder
   */
  public static RatingDecoder ratingDecoder() {
    return RATINGS;
  }

  private static final RatingDecoder RATINGS =
      new RatingDecoder() {
        @Override
        public Optional<Rated> decode(Transaction tx) {
          Optional<byte[]> data =
              ModuleSupport.callData(tx, NAME, DrState.RATE, DrState.RATE_BYTES);
          if (data.isEmpty()) {
            return Optional.empty();
          }
          byte[] d = data.get();
          ByteBuffer in = ByteBuffer.wrap(d, 1 + 8 + 4 + 4, d.length - 1 - 8 - 4 - 4);
          int score = in.get();
          byte[] sp = new byte[Address.LENGTH];
          in.get(sp);
          if (score < 1 || score > 5) {
            return Optional.empty(); // never in a block: the module refuses such a call
          }
          return Optional.of(new Rated(Address.ofBytes(sp), 0, score));
        }

        @Override
        public Optional<Traded> traded(Transaction tx) {
          Optional<byte[]> data =
              ModuleSupport.callData(tx, NAME, DrState.SETTLE, DrState.SETTLE_BYTES);
          if (data.isEmpty()) {
            return Optional.empty();
          }
          byte[] d = data.get();
          // request (EV id, wallet, credit), token (credit, valid until, pre_record, timestamp),
          // energy, payment: the layout of DrCalls.settle
          ByteBuffer in = ByteBuffer.wrap(d, 1 + 8 + 4 + 8, d.length - 1 - 8 - 4 - 8);
          byte[] wallet = new byte[Address.LENGTH];
          in.get(wallet);
          in.position(in.position() + 8 + 8 + 8 + Hash.LENGTH + 8 + 8);
          long payment = in.getLong();
          if (payment < 0) {
            return Optional.empty(); // never in a block: the module refuses such a call
          }
          return Optional.of(new Traded(Address.ofBytes(wallet), payment));
        }
      };
}
