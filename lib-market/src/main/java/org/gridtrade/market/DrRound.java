package org.gridtrade.market;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.gridtrade.ledger.Address;

/**
 * A demand-response round as the chain holds it ({@link DemandResponseMarket}): its spec, the EVs'
 * escrow and, once certified, the allocation, its certificate and every payment.
 *
 * @param id the round's number, 0 for the first opened on the chain
 * @param operator the authority (the auctioneer) that opened it; it receives the budget surplus
 * @param spec the round as opened
 * @param status where the round stands
 * @param escrowMicro what each EV has escrowed, in EV order (0 before it escrows, and after the
 *     round expired and returned it)
 * @param certificate once certified: the allocation, its dual prices and the payments
 */
public record DrRound(
    long id,
    Address operator,
    DrRoundSpec spec,
    Status status,
    List<Long> escrowMicro,
    Optional<Certificate> certificate) {

  /** Where a round stands. */
  public enum Status {
    /** EVs escrow; the auctioneer may certify (up to the certify height). */
    OPEN,
    /**
     * Certified: the EVs have paid into the round; SPs settle their cells (up to the settle
     * height).
     */
    CERTIFIED,
    /** Not certified by the certify height: every escrow went back. */
    EXPIRED,
    /** Closed at the settle height: unsettled cells returned, the surplus paid to the operator. */
    CLOSED
  }

  /**
   * A certified allocation with its certificate and its settlement.
   *
   * @param allocationWh {@code x[i][j]}: SP j's supply to EV i, Wh
   * @param evPricesMicroPerKWh the EVs' prices u_i (demand duals), micro-coins per kWh of supply
   * @param spPricesMicroPerKWh the SPs' capacity prices α_j, micro-coins per kWh of supply
   * @param evPaymentsMicro what each EV paid by the IR rule (the rest of its escrow went back)
   * @param cellPaymentsMicro {@code [i][j]}: what cell (i, j) pays SP j once settled by its token
   * @param settled {@code [i][j]}: whether the cell is settled (cells that pay nothing count as
   *     settled)
   * @param returnedMicro once closed, what each EV got back for cells never settled
   * @param operatorMicro once closed, what the operator received (the budget surplus)
   */
  public record Certificate(
      List<List<Long>> allocationWh,
      List<Long> evPricesMicroPerKWh,
      List<Long> spPricesMicroPerKWh,
      List<Long> evPaymentsMicro,
      List<List<Long>> cellPaymentsMicro,
      List<List<Boolean>> settled,
      List<Long> returnedMicro,
      long operatorMicro) {
    /** Copies the lists. */
    public Certificate {
      allocationWh = allocationWh.stream().map(List::copyOf).toList();
      evPricesMicroPerKWh = List.copyOf(evPricesMicroPerKWh);
      spPricesMicroPerKWh = List.copyOf(spPricesMicroPerKWh);
      evPaymentsMicro = List.copyOf(evPaymentsMicro);
      cellPaymentsMicro = cellPaymentsMicro.stream().map(List::copyOf).toList();
      settled = settled.stream().map(List::copyOf).toList();
      returnedMicro = List.copyOf(returnedMicro);
    }
  }

  /** Checks the fields and copies the lists. */
  public DrRound {
    Objects.requireNonNull(operator, "operator");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(status, "status");
    escrowMicro = List.copyOf(escrowMicro);
    Objects.requireNonNull(certificate, "certificate");
  }
}
