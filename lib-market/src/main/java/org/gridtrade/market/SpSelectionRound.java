package org.gridtrade.market;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.gridtrade.ledger.Address;

/**
 * A round of per-EV SP selection (Aggarwal Alg. 7) as the chain holds it.
 *
 * @param id the round's number, 0 for the first opened on the chain
 * @param operator the authority that opened it
 * @param closeHeight the height at whose end every node selects
 * @param requests the EVs' bids, in the order they were made
 * @param offers the SPs' asks, in the order they were made
 * @param selections once closed, one per request in request order; otherwise empty
 */
public record SpSelectionRound(
    long id,
    Address operator,
    long closeHeight,
    List<Request> requests,
    List<Offer> offers,
    Optional<List<Selection>> selections) {

  /**
   * An EV's bid: the most it pays per kWh.
   *
   * @param index the request's number in the round
   * @param ev the EV's account (one request per EV and round)
   * @param priceMicroPerKWh its bid
   */
  public record Request(int index, Address ev, long priceMicroPerKWh) {
    /** Checks the fields. */
    public Request {
      Objects.requireNonNull(ev, "ev");
    }
  }

  /**
   * An SP's ask to one EV.
   *
   * @param index the offer's number in the round (earlier offers win ties)
   * @param sp the SP's account (one offer per SP and EV)
   * @param request the index of the EV's request it answers
   * @param priceMicroPerKWh its ask
   */
  public record Offer(int index, Address sp, int request, long priceMicroPerKWh) {
    /** Checks the fields. */
    public Offer {
      Objects.requireNonNull(sp, "sp");
    }
  }

  /**
   * What Alg. 7 selected for one EV.
   *
   * @param request the EV's request index
   * @param sp the SP with the lowest ask at or below the EV's bid (ties: the earlier offer)
   * @param priceMicroPerKWh that ask
   * @param noTradeReason empty when an SP was selected, otherwise why not
   */
  public record Selection(
      int request, Optional<Address> sp, OptionalLong priceMicroPerKWh, String noTradeReason) {
    /** Checks the fields. */
    public Selection {
      Objects.requireNonNull(sp, "sp");
      Objects.requireNonNull(priceMicroPerKWh, "priceMicroPerKWh");
      Objects.requireNonNull(noTradeReason, "noTradeReason");
    }
  }

  /** Copies the lists. */
  public SpSelectionRound {
    Objects.requireNonNull(operator, "operator");
    requests = List.copyOf(requests);
    offers = List.copyOf(offers);
    selections = selections.map(List::copyOf);
  }
}
