package org.gridtrade.consensus;

import java.util.List;
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
   * Blocks were taken off the chain by a reorganisation (a heavier competing branch, or a heavier
   * competitor of the head): their effects are undone. The blocks that replace them follow, lowest
   * first, as {@link #onBlock} calls; transactions of the removed blocks that the new ones do not
   * hold go back to the mempool if still valid.
   *
   * @param removed the removed blocks, lowest first
   */
  default void onRemoved(List<Block> removed) {}

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
   * @param kind whether the block was found invalid, or only not taken
   */
  record Rejection(Block block, String from, String reason, Kind kind) {
    public Rejection {
      Objects.requireNonNull(block, "block");
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(kind, "kind");
    }

    /** Why a block was not taken. */
    public enum Kind {
      /**
       * The block was checked against its parent, a block this node holds on its chain, and breaks
       * a rule (seal, contents, state root). Validity is a function of the parent's state and the
       * block, so every node holding that parent reaches the same verdict: only these rejections
       * may be reported as misbehaviour.
       */
      INVALID,
      /**
       * The block does not build on this node's head (another branch, or a parent this node does
       * not hold); it was not checked.
       */
      DETACHED,
      /**
       * The block competes with a stored block at its height that is preferred by fork choice, or
       * final because a block was built on it; it was not checked and may be valid.
       */
      SUPERSEDED
    }
  }
}
