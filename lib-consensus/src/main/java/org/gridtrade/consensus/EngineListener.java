package org.gridtrade.consensus;

import java.util.Objects;
import org.gridtrade.ledger.Block;

/**
 * Observes a {@link BlockEngine}. Called on the engine's thread, after the state changed; keep it
 * quick. An exception thrown by a listener is logged and does not affect the engine.
 */
public interface EngineListener {

  /**
   * A block was appended.
   *
   * @param block the block
   * @param local {@code true} if this node sealed it, {@code false} if it came from a peer
   */
  default void onBlock(Block block, boolean local) {}

  /**
   * A block was rejected; nothing changed.
   *
   * @param rejection what and why
   */
  default void onRejected(Rejection rejection) {}

  /**
   * A proposer was caught signing two blocks at one height.
   *
   * @param evidence the two headers
   */
  default void onEvidence(Evidence evidence) {}

  /**
   * A rejected block.
   *
   * @param block the block
   * @param from the peer that sent it, or this node's id for a block it built
   * @param reason why it was rejected
   */
  record Rejection(Block block, String from, String reason) {
    public Rejection {
      Objects.requireNonNull(block, "block");
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(reason, "reason");
    }
  }
}
