package org.gridtrade.ledger.spi;

import java.util.Objects;
import java.util.Optional;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;

/**
 * Reads the rating a module's transaction makes, so that trust can be computed from ratings that a
 * module accepted (a market's rating of a delivered trade) as well as from the chain's own {@link
 * Payload.Rating}s.
 *
 * <p>A decoder reads the transaction alone: the module's rating call must carry everything the
 * trust computation needs (who is rated, the coins of the rated trade, the score), and the module
 * must refuse the call unless those match its state. Every transaction of a valid block was
 * accepted, so a reader of the chain's blocks may count every rating a decoder returns; a decoder
 * must return the same answer on every node (it reads bytes, nothing else).
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
   * A rating by a transaction's sender.
   *
   * @param rated the trader rated (the trade's other party)
   * @param tradedMicro the coins of the rated trade, micro-coins: counted as traded by both parties
   *     when the rating is read (a module trade has no transaction of its own to count them at)
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
