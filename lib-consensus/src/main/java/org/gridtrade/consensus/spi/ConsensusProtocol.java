package org.gridtrade.consensus.spi;

import java.util.List;
import java.util.Optional;
import org.gridtrade.consensus.EngineListener;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.Transaction;

/**
 * A consensus protocol: who may propose the next block, how a block is sealed and how a seal is
 * checked, what rewards and penalties a block carries, and how competing blocks compare.
 *
 * <p>One class implementing this interface is a complete protocol; the {@link
 * org.gridtrade.consensus.BlockEngine} builds, appends and gossips blocks, and the {@link
 * org.gridtrade.consensus.ConsensusSchedule} switches protocols at configured heights.
 *
 * <p><b>Contract.</b> Implementations are thread-safe and deterministic: every node given the same
 * chain ({@link ChainView}) computes the same eligibility, verification result and weight. Any
 * randomness (a weighted draw of the proposer) is derived from chain data, normally the parent
 * block's hash, never from a local random source. Methods that check untrusted data return a reason
 * instead of throwing.
 *
 * <p><b>How the planned protocols fit.</b>
 *
 * <ul>
 *   <li><i>Proof of Authority</i> ({@link org.gridtrade.consensus.poa.ProofOfAuthority}): the
 *       sealer set and votes are rebuilt from seals; eligibility is Clique's in-turn / out-of-turn
 *       rule.
 *   <li><i>Proof of Energy Generation</i> ({@link
 *       org.gridtrade.consensus.poeg.ProofOfEnergyGeneration}): {@link #eligibility} draws
 *       coalitions with probability proportional to the proof scores of an {@link
 *       EnergyProofSource} (seeded by the parent hash) and admits the drawn coalition's
 *       highest-scoring member, the re-drawn ones after growing delays; {@link
 *       #rewardsAndPenalties} emits the reward and slashes the stake of the drawn signers that did
 *       not propose in time.
 *   <li><i>Proof of State of Charge</i> ({@link
 *       org.gridtrade.consensus.posoc.ProofOfStateOfCharge}): {@link #eligibility} admits the
 *       period's aggregator drawn by weight of the daily scores of a {@link StateOfChargeSource};
 *       {@link #verifySeal} checks the recorded global model hash; {@link #rewardsAndPenalties}
 *       releases the profits of the EVs whose β-share payment is on chain (read through {@link
 *       ChainView#block}) and {@link #checkBlock} requires exactly that.
 * </ul>
 */
public interface ConsensusProtocol {

  /**
   * A short name for logs and reports, e.g. {@code "poa"}.
   *
   * @return the name
   */
  String name();

  /**
   * Whether {@code proposer} may propose the block after {@code parent}, and after what delay.
   *
   * @param chain the canonical chain, ending at {@code parent}
   * @param parent the header the new block builds on
   * @param proposer the would-be proposer
   * @return eligible with a delay, or ineligible with the reason
   */
  Eligibility eligibility(ChainView chain, BlockHeader parent, Address proposer);

  /**
   * Eligibility for a protocol that also reads the state after the parent (e.g. locked stakes). The
   * engine calls this one; the default ignores the state and asks {@link #eligibility(ChainView,
   * BlockHeader, Address)}.
   *
   * @param chain the canonical chain, ending at {@code parent}
   * @param parent the header the new block builds on
   * @param parentState the ledger state after {@code parent}
   * @param proposer the would-be proposer
   * @return eligible with a delay, or ineligible with the reason
   */
  default Eligibility eligibility(
      ChainView chain, BlockHeader parent, LedgerState parentState, Address proposer) {
    return eligibility(chain, parent, proposer);
  }

  /**
   * Why {@code account} cannot seal under this protocol as it stands after {@code head}, if the
   * protocol can tell: for example a key that is not among Proof of Authority's sealers, or a
   * trust-stake account that is neither an initial validator nor a depositor. The engine asks this
   * once at start, logs a warning, and reports it in {@code BlockEngine.status()}, so that a node
   * configured with the wrong key is loud instead of silently never sealing. The default cannot
   * tell and returns empty: protocols that draw their proposers from changing data (energy proof
   * scores, state of charge) may make any account eligible later.
   *
   * @param chain the canonical chain, ending at {@code head}
   * @param head the current head
   * @param headState the state after {@code head}
   * @param account the sealing key's address
   * @return empty if the account is, or may become, a sealer; else why it cannot seal
   */
  default Optional<String> sealingProblem(
      ChainView chain, BlockHeader head, LedgerState headState, Address account) {
    return Optional.empty();
  }

  /**
   * Creates the seal of an unsealed header built by this node.
   *
   * @param chain the canonical chain, ending at the header's parent
   * @param unsealed the header with an empty seal; its proposer is {@code key}'s address
   * @param key the proposer's signing key
   * @return the seal bytes, at most {@link BlockHeader#MAX_SEAL_BYTES}
   * @throws IllegalStateException if {@code key} may not seal this header
   */
  byte[] seal(ChainView chain, BlockHeader unsealed, KeyPair key);

  /**
   * Checks the seal of a header: that its proposer was eligible and signed it, plus whatever else
   * the protocol records in the seal (votes, checkpoints).
   *
   * @param chain the canonical chain, ending at {@code parent}
   * @param header the header to check
   * @param parent the parent header
   * @param parentState the state after the parent (stakes, balances)
   * @return empty if valid, else why not
   */
  Optional<String> verifySeal(
      ChainView chain, BlockHeader header, BlockHeader parent, LedgerState parentState);

  /**
   * Who signed a header, from its seal alone, the signature checked; no chain context. Used to
   * check {@link org.gridtrade.consensus.Evidence evidence} of equivocation.
   *
   * @param header a sealed header
   * @return the signer, or empty if the seal does not parse or the signature does not verify
   */
  Optional<Address> signer(BlockHeader header);

  /**
   * The fork-choice weight a header adds to its chain (Clique: 2 in turn, 1 out of turn). Among
   * competing blocks for one height the engine prefers the higher weight, then the lower hash.
   *
   * @param chain the canonical chain, ending at the header's parent
   * @param header a header whose seal has been verified
   * @return the weight, 0 or more
   */
  long weight(ChainView chain, BlockHeader header);

  /**
   * Reward and penalty transactions the proposer puts first in its block (mining rewards, slashes).
   * The default has none: Proof of Authority pays only the fees.
   *
   * @param chain the canonical chain, ending at {@code parent}
   * @param parent the parent header
   * @param parentState the state after the parent
   * @param proposer the proposer of the new block
   * @return signed transactions, in block order
   */
  default List<Transaction> rewardsAndPenalties(
      ChainView chain, BlockHeader parent, LedgerState parentState, Address proposer) {
    return List.of();
  }

  /**
   * Checks a received block's content against protocol rules the seal cannot express (for example
   * that the reward transactions are the ones {@link #rewardsAndPenalties} prescribes). The engine
   * calls it before appending a block received from a peer. The default accepts every block.
   *
   * @param chain the canonical chain, ending at {@code parent}
   * @param block the received block
   * @param parent the parent header
   * @param parentState the state after the parent
   * @return empty if valid, else why not
   */
  default Optional<String> checkBlock(
      ChainView chain, Block block, BlockHeader parent, LedgerState parentState) {
    return Optional.empty();
  }

  /**
   * Listeners this protocol needs on the engine that runs it, for example trust stake's evidence
   * reporter, which turns the equivocation and invalid blocks the engine finds into evidence for
   * this node's seals. The {@link org.gridtrade.consensus.BlockEngine} registers them itself when
   * it is built, once per instance, for every protocol of its schedule: an integrator does not wire
   * them. An instance that returns listeners serves one engine (the listeners feed its state). The
   * default has none.
   *
   * @return the listeners, the same instances on every call
   */
  default List<EngineListener> engineListeners() {
    return List.of();
  }
}
