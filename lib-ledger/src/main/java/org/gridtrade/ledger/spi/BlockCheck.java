package org.gridtrade.ledger.spi;

import java.util.Optional;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.LedgerState;

/**
 * Checks a whole block's contents against consensus rules the ledger does not know (for example
 * which transactions a block of a competing branch may carry). {@link
 * org.gridtrade.ledger.Ledger#reorganise} runs it on every block of a branch, before the ledger's
 * own validation of that block.
 *
 * <p>Implementations must be deterministic and thread-safe, and must not throw for a bad block:
 * they return the reason.
 */
@FunctionalInterface
public interface BlockCheck {

  /**
   * Checks {@code block}.
   *
   * @param block the block to check (its height is 1 or more)
   * @param parent the header of the previous block (on the branch, or the fork point)
   * @param parentState the state after the previous block
   * @return empty if the block is acceptable, else why not
   */
  Optional<String> check(Block block, BlockHeader parent, LedgerState parentState);

  /**
   * A check that accepts every block: for tests and engines without content rules.
   *
   * @return the permissive check
   */
  static BlockCheck acceptAll() {
    return (block, parent, state) -> Optional.empty();
  }
}
