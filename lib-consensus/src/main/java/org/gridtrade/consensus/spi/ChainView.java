package org.gridtrade.consensus.spi;

import java.util.Optional;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;

/**
 * Read-only access to the canonical chain's headers, as a protocol sees it: enough to rebuild
 * protocol state (a sealer set, scores) from the chain alone.
 *
 * <p>Implementations are thread-safe. The view a protocol receives is scoped to the span of the
 * {@link org.gridtrade.consensus.ConsensusSchedule} in which that protocol is active: {@link
 * #activationHeight()} is the first height the protocol governs, and its initial state (for Proof
 * of Authority: the configured sealers) applies on top of the header at {@code activationHeight() -
 * 1}.
 */
public interface ChainView {

  /**
   * The header at {@code height} on the canonical (stored) chain.
   *
   * @param height a height, 0 or more
   * @return the header, or empty if the chain is shorter
   */
  Optional<BlockHeader> header(long height);

  /**
   * The first height governed by the protocol reading this view (1 for a protocol active from the
   * start).
   *
   * @return the activation height, 1 or more
   */
  long activationHeight();

  /**
   * The block at {@code height} on the canonical chain, with its transactions. Protocols that
   * settle on what earlier blocks carried (Proof of State of Charge releases an EV's profit once
   * its mining-reward payment is on chain; the trust-stake protocol folds burns, trades and
   * ratings) read it; the engine's view provides it. The default is a view of headers only.
   *
   * @param height a height, 0 or more
   * @return the block, or empty if the chain is shorter or the view holds headers only
   */
  default Optional<Block> block(long height) {
    return Optional.empty();
  }
}
