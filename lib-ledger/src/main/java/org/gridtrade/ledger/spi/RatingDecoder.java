package org.gridtrade.ledger.spi;

import java.util.Objects;
import java.util.Optional;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;

/**
 * Reads the trades and ratings a module's transactions make, so that trust can be computed from
 * ratings that a module accepted (a market's rating of a delivered trade) as well as from the
 * chain's own {@link Payload.Rating}s.
 *
 * <p>A decoder reads the transaction alone: the module's calls must carry everything the trust
 * computation needs (who traded or is rated, the coins, the score), and the module must refuse a
 * call unless those match its state. Every transaction of a valid block was accepted, so a reader
 * of the chain's blocks may count every trade and rating a decoder returns; a decoder must return
 * the same answer on every node (it reads bytes, nothing else).
 */
@FunctionalInterface
public interface RatingDecoder {

  /**
   * The rating a transaction makes.
   *
   * @param tx a transaction of a block
   * @return its rating, or empty if it is not a rating call this decoder knows
   */
  Optional<Rated> decode(Transaction tx);

  /**
   * The trade a transaction makes, when the module's trade has a transaction of its own (a
   * settlement): its coins count as traded by both parties when it happens. A module whose trades
   * happen without a transaction (a market cleared at the end of a block) names the coins in its
   * rating instead ({@link Rated#tradedMicro}).
   *
   * @param tx a transaction of a block
   * @return its trade, or empty (the default)
   */
  default Optional<Traded> traded(Transaction tx) {
    return Optional.empty();
  }

  /**
   * A trade between a transaction's sender and a counterparty.
   *
   * @param counterparty the other party
   * @param tradedMicro the coins of the trade, micro-coins, counted as traded by both
   */
  record Traded(Address counterparty, long tradedMicro) {
    /**
     * Checks the fields.
     *
     * @throws IllegalArgumentException if {@code tradedMicro} is negative
     */
    public Traded {
      Objects.requireNonNull(counterparty, "counterparty");
      if (tradedMicro < 0) {
        throw new IllegalArgumentException("tradedMicro %d must be >= 0".formatted(tradedMicro));
      }
    }
  }

  /**
   * A rating by a transaction's sender.
   *
   * @param rated the trader rated (the trade's other party)
   * @param tradedMicro the coins of the rated trade, micro-coins, counted as traded by both parties
   *     when the rating is read; 0 when the trade was counted when it happened ({@link #traded})
   * @param score {@value Payload.Rating#MIN_SCORE} to {@value Payload.Rating#MAX_SCORE}
   */
  record Rated(Address rated, long tradedMicro, int score) {
    /**
     * Checks the fields.
     *
     * @throws IllegalArgumentException if {@code tradedMicro} is negative or the score is out of
     *     range
     */
    public Rated {
      Objects.requireNonNull(rated, "rated");
      if (tradedMicro < 0) {
        throw new IllegalArgumentException("tradedMicro %d must be >= 0".formatted(tradedMicro));
      }
      if (score < Payload.Rating.MIN_SCORE || score > Payload.Rating.MAX_SCORE) {
        throw new IllegalArgumentException(
            "score %d must be in [%d, %d]"
                .formatted(score, Payload.Rating.MIN_SCORE, Payload.Rating.MAX_SCORE));
      }
    }
  }
}
