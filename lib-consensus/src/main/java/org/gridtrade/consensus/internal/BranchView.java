package org.gridtrade.consensus.internal;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.gridtrade.consensus.spi.ChainView;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;

/**
 * The chain a candidate branch would make: the base chain up to the fork height, then the branch's
 * blocks, and nothing above {@code top}. Used to weigh and check a branch before a reorganisation,
 * so that protocols see it as the canonical chain. Immutable.
 */
public final class BranchView implements ChainView {
  private final ChainView base;
  private final long fork;
  private final List<Block> branch;
  private final long top;

  /**
   * A view of {@code base} up to {@code forkHeight}, then {@code branch}.
   *
   * @param base the node's chain
   * @param forkHeight the last height shared with the branch
   * @param branch the blocks at heights {@code forkHeight + 1, ...}
   */
  public BranchView(ChainView base, long forkHeight, List<Block> branch) {
    this(base, forkHeight, List.copyOf(branch), forkHeight + branch.size());
  }

  private BranchView(ChainView base, long fork, List<Block> branch, long top) {
    this.base = Objects.requireNonNull(base, "base");
    this.fork = fork;
    this.branch = branch;
    this.top = top;
  }

  /**
   * The same view ending at {@code height} (a protocol checking the block at {@code height + 1}
   * sees the chain up to its parent).
   *
   * @param height the last visible height
   * @return the shorter view
   */
  public BranchView upTo(long height) {
    return new BranchView(base, fork, branch, Math.min(top, height));
  }

  @Override
  public Optional<BlockHeader> header(long height) {
    if (height < 0 || height > top) {
      return Optional.empty();
    }
    return height <= fork
        ? base.header(height)
        : Optional.of(branch.get((int) (height - fork - 1)).header());
  }

  @Override
  public Optional<Block> block(long height) {
    if (height < 0 || height > top) {
      return Optional.empty();
    }
    return height <= fork ? base.block(height) : Optional.of(branch.get((int) (height - fork - 1)));
  }

  @Override
  public long activationHeight() {
    return base.activationHeight();
  }
}
