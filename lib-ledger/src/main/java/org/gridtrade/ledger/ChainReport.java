package org.gridtrade.ledger;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What {@link ChainVerifier#verify} found.
 *
 * @param validBlocks how many blocks, from genesis on, are valid
 * @param transactions transactions in the valid blocks
 * @param firstBadHeight the height of the first invalid block, if any
 * @param problem why that block is invalid, if any
 * @param tip hash of the last valid block
 * @param stateRoot state root after the last valid block
 * @param elapsed how long verification took
 */
public record ChainReport(
    long validBlocks,
    long transactions,
    OptionalLong firstBadHeight,
    Optional<String> problem,
    Hash tip,
    Hash stateRoot,
    Duration elapsed) {

  public ChainReport {
    Objects.requireNonNull(firstBadHeight, "firstBadHeight");
    Objects.requireNonNull(problem, "problem");
    Objects.requireNonNull(tip, "tip");
    Objects.requireNonNull(stateRoot, "stateRoot");
    Objects.requireNonNull(elapsed, "elapsed");
    if (firstBadHeight.isPresent() != problem.isPresent()) {
      throw new IllegalArgumentException("firstBadHeight and problem must both be set or not");
    }
  }

  /**
   * Whether every stored block is valid.
   *
   * @return {@code true} if no bad block was found
   */
  public boolean valid() {
    return firstBadHeight.isEmpty();
  }

  @Override
  public String toString() {
    return valid()
        ? "chain valid: %d blocks, %d transactions, tip %s (%d ms)"
            .formatted(validBlocks, transactions, tip, elapsed.toMillis())
        : "chain INVALID at height %d: %s (%d valid blocks before it)"
            .formatted(firstBadHeight.getAsLong(), problem.get(), validBlocks);
  }
}
