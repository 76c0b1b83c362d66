package org.gridtrade.consensus;

import java.time.Duration;
import java.util.Objects;

/**
 * When and how big the engine builds blocks. Durations are used at millisecond precision, the unit
 * of block timestamps.
 *
 * @param blockPeriod least time between a block and the next, 0 or more (Aggarwal ran PoA with 2 s)
 * @param maxTransactions most transactions per block, 1 to {@link
 *     org.gridtrade.ledger.Block#MAX_TRANSACTIONS} (Ahmad et al. use 1,000)
 * @param onlyWhenTransactionsWait build a block only when at least one transaction waits
 * @param statusInterval how often a networked node announces its head, 1 ms or more
 * @param maxFuture how far ahead of this node's clock a received block's time may be, 0 or more
 *     (Clique allows 15 s); a block further ahead is refused for now and fetched again later, so a
 *     sealer cannot stall the chain by dating its block far ahead
 */
public record BlockPolicy(
    Duration blockPeriod,
    int maxTransactions,
    boolean onlyWhenTransactionsWait,
    Duration statusInterval,
    Duration maxFuture) {

  /**
   * Block period 2 s, 1,000 transactions per block, only when a transaction waits, status every 1
   * s, blocks at most 15 s ahead.
   */
  public static final BlockPolicy DEFAULT =
      new BlockPolicy(
          Duration.ofSeconds(2), 1_000, true, Duration.ofSeconds(1), Duration.ofSeconds(15));

  /**
   * Validates the policy.
   *
   * @throws IllegalArgumentException naming the field, the value and the rule
   * @throws NullPointerException if a duration is null
   */
  public BlockPolicy {
    Objects.requireNonNull(blockPeriod, "blockPeriod");
    Objects.requireNonNull(statusInterval, "statusInterval");
    Objects.requireNonNull(maxFuture, "maxFuture");
    if (blockPeriod.isNegative()) {
      throw new IllegalArgumentException("blockPeriod %s must be >= 0".formatted(blockPeriod));
    }
    if (maxTransactions < 1 || maxTransactions > org.gridtrade.ledger.Block.MAX_TRANSACTIONS) {
      throw new IllegalArgumentException(
          "maxTransactions %d not in 1..%d"
              .formatted(maxTransactions, org.gridtrade.ledger.Block.MAX_TRANSACTIONS));
    }
    if (statusInterval.toMillis() < 1) {
      throw new IllegalArgumentException(
          "statusInterval %s must be at least 1 ms".formatted(statusInterval));
    }
    if (maxFuture.isNegative()) {
      throw new IllegalArgumentException("maxFuture %s must be >= 0".formatted(maxFuture));
    }
  }

  /**
   * This policy with another block period.
   *
   * @param period the block period, 0 or more
   * @return a new policy
   */
  public BlockPolicy withBlockPeriod(Duration period) {
    return new BlockPolicy(
        period, maxTransactions, onlyWhenTransactionsWait, statusInterval, maxFuture);
  }

  /**
   * This policy with another block size.
   *
   * @param max most transactions per block
   * @return a new policy
   */
  public BlockPolicy withMaxTransactions(int max) {
    return new BlockPolicy(blockPeriod, max, onlyWhenTransactionsWait, statusInterval, maxFuture);
  }

  /**
   * This policy with empty blocks allowed or not.
   *
   * @param onlyWhenWaiting build only when a transaction waits
   * @return a new policy
   */
  public BlockPolicy withOnlyWhenTransactionsWait(boolean onlyWhenWaiting) {
    return new BlockPolicy(
        blockPeriod, maxTransactions, onlyWhenWaiting, statusInterval, maxFuture);
  }

  /**
   * This policy with another status interval.
   *
   * @param interval the status interval, 1 ms or more
   * @return a new policy
   */
  public BlockPolicy withStatusInterval(Duration interval) {
    return new BlockPolicy(
        blockPeriod, maxTransactions, onlyWhenTransactionsWait, interval, maxFuture);
  }

  /**
   * This policy with another bound on received blocks' time.
   *
   * @param future how far ahead of the local clock a received block may be dated, 0 or more
   * @return a new policy
   */
  public BlockPolicy withMaxFuture(Duration future) {
    return new BlockPolicy(
        blockPeriod, maxTransactions, onlyWhenTransactionsWait, statusInterval, future);
  }

  long blockPeriodMillis() {
    return blockPeriod.toMillis();
  }

  long statusIntervalMillis() {
    return statusInterval.toMillis();
  }

  long maxFutureMillis() {
    return maxFuture.toMillis();
  }
}
