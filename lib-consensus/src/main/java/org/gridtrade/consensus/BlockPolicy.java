package org.gridtrade.consensus;

/**
 * When and how big the engine builds blocks.
 *
 * @param blockPeriodMillis least time between a block and the next, ms, 0 or more (Aggarwal ran PoA
 *     with 2 s)
 * @param maxTransactions most transactions per block, 1 to {@link
 *     org.gridtrade.ledger.Block#MAX_TRANSACTIONS} (Ahmad et al. use 1,000)
 * @param onlyWhenTransactionsWait build a block only when at least one transaction waits
 * @param statusIntervalMillis how often a networked node announces its head, ms, 1 or more
 * @param maxFutureMillis how far ahead of this node's clock a received block's time may be, ms, 0
 *     or more (Clique allows 15 s); a block further ahead is refused for now and fetched again
 *     later, so a sealer cannot stall the chain by dating its block far ahead
 */
public record BlockPolicy(
    long blockPeriodMillis,
    int maxTransactions,
    boolean onlyWhenTransactionsWait,
    long statusIntervalMillis,
    long maxFutureMillis) {

  /**
   * Block period 2 s, 1,000 transactions per block, only when a transaction waits, status every 1
   * s, blocks at most 15 s ahead.
   */
  public static final BlockPolicy DEFAULT = new BlockPolicy(2_000, 1_000, true, 1_000, 15_000);

  public BlockPolicy {
    if (blockPeriodMillis < 0) {
      throw new IllegalArgumentException(
          "blockPeriodMillis %d must be >= 0".formatted(blockPeriodMillis));
    }
    if (maxTransactions < 1 || maxTransactions > org.gridtrade.ledger.Block.MAX_TRANSACTIONS) {
      throw new IllegalArgumentException(
          "maxTransactions %d not in 1..%d"
              .formatted(maxTransactions, org.gridtrade.ledger.Block.MAX_TRANSACTIONS));
    }
    if (statusIntervalMillis < 1) {
      throw new IllegalArgumentException(
          "statusIntervalMillis %d must be >= 1".formatted(statusIntervalMillis));
    }
    if (maxFutureMillis < 0) {
      throw new IllegalArgumentException(
          "maxFutureMillis %d must be >= 0".formatted(maxFutureMillis));
    }
  }

  /**
   * This policy with another block period.
   *
   * @param millis the block period, ms
   * @return a new policy
   */
  public BlockPolicy withBlockPeriodMillis(long millis) {
    return new BlockPolicy(
        millis, maxTransactions, onlyWhenTransactionsWait, statusIntervalMillis, maxFutureMillis);
  }

  /**
   * This policy with another block size.
   *
   * @param max most transactions per block
   * @return a new policy
   */
  public BlockPolicy withMaxTransactions(int max) {
    return new BlockPolicy(
        blockPeriodMillis, max, onlyWhenTransactionsWait, statusIntervalMillis, maxFutureMillis);
  }

  /**
   * This policy with empty blocks allowed or not.
   *
   * @param onlyWhenWaiting build only when a transaction waits
   * @return a new policy
   */
  public BlockPolicy withOnlyWhenTransactionsWait(boolean onlyWhenWaiting) {
    return new BlockPolicy(
        blockPeriodMillis, maxTransactions, onlyWhenWaiting, statusIntervalMillis, maxFutureMillis);
  }

  /**
   * This policy with another status interval.
   *
   * @param millis the status interval, ms
   * @return a new policy
   */
  public BlockPolicy withStatusIntervalMillis(long millis) {
    return new BlockPolicy(
        blockPeriodMillis, maxTransactions, onlyWhenTransactionsWait, millis, maxFutureMillis);
  }

  /**
   * This policy with another bound on received blocks' time.
   *
   * @param millis how far ahead of the local clock a received block may be dated, ms
   * @return a new policy
   */
  public BlockPolicy withMaxFutureMillis(long millis) {
    return new BlockPolicy(
        blockPeriodMillis, maxTransactions, onlyWhenTransactionsWait, statusIntervalMillis, millis);
  }
}
