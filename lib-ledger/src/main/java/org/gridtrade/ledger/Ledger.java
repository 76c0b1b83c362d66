package org.gridtrade.ledger;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.gridtrade.ledger.spi.BlockStore;
import org.gridtrade.ledger.spi.SealVerifier;
import org.gridtrade.ledger.spi.StoredBlock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A chain: the blocks in a {@link BlockStore}, the state after the last one, and the rules that let
 * a new block in.
 *
 * <p>Thread-safe: appends are serialised; {@link #state()} and {@link #head()} return immutable
 * snapshots. {@link #append} validates a block completely (link, roots, seal, signatures in
 * parallel, state transition) before it stores it; a rejected block changes nothing. Closing the
 * ledger closes the store.
 *
 * <pre>{@code
 * try (Ledger ledger = Ledger.open(genesis, BlockStores.openDurable(path))) {
 *   Ledger.Proposal p = ledger.propose(pending, proposer, clock.millis());
 *   BlockResult r = ledger.append(p.block());
 * }
 * }</pre>
 */
public final class Ledger implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Ledger.class);

  private final Genesis genesis;
  private final BlockStore store;
  private final SealVerifier seals;

  // Head and state change together: one volatile reference keeps readers consistent.
  private record Tip(BlockHeader head, LedgerState state) {}

  private volatile Tip tip;

  // The tip before the head, while the head may still be replaced (null after opening a stored
  // chain, until the next append). Guarded by this.
  private Tip beforeHead;

  private Ledger(
      Genesis genesis, BlockStore store, SealVerifier seals, BlockHeader head, LedgerState state) {
    this.genesis = genesis;
    this.store = store;
    this.seals = seals;
    this.tip = new Tip(head, state);
  }

  /**
   * Opens a chain with a permissive seal check ({@link SealVerifier#acceptAll()}).
   *
   * @param genesis the chain's genesis configuration
   * @param store the block store; an empty store gets the genesis block
   * @return the ledger
   * @throws IllegalStateException if the stored chain does not verify
   */
  public static Ledger open(Genesis genesis, BlockStore store) {
    return open(genesis, store, SealVerifier.acceptAll());
  }

  /**
   * Opens a chain: writes the genesis block into an empty store, or verifies every stored block
   * (replaying the state) of a non-empty one.
   *
   * @param genesis the chain's genesis configuration
   * @param store the block store
   * @param seals the consensus seal check applied to every block after genesis
   * @return the ledger
   * @throws IllegalStateException if the stored chain does not verify; the message is the {@link
   *     ChainReport}
   */
  public static Ledger open(Genesis genesis, BlockStore store, SealVerifier seals) {
    Objects.requireNonNull(genesis, "genesis");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(seals, "seals");
    if (store.size() == 0) {
      Block g = genesis.block();
      store.append(new StoredBlock(0, g.hash(), g.encode()));
      LOG.debug("wrote genesis block {} for chain {}", g.hash(), genesis.chainId());
      return new Ledger(genesis, store, seals, g.header(), genesis.state());
    }
    ChainVerifier.Replay replay = ChainVerifier.replay(store, genesis, seals);
    if (!replay.report().valid()) {
      throw new IllegalStateException("stored chain does not verify: " + replay.report());
    }
    LOG.debug("opened chain {}: {}", genesis.chainId(), replay.report());
    return new Ledger(genesis, store, seals, replay.head(), replay.state());
  }

  /**
   * The genesis configuration.
   *
   * @return the genesis
   */
  public Genesis genesis() {
    return genesis;
  }

  /**
   * The header of the last block.
   *
   * @return the head
   */
  public BlockHeader head() {
    return tip.head();
  }

  /**
   * The height of the last block (0 when only genesis is stored).
   *
   * @return the height
   */
  public long height() {
    return tip.head().height();
  }

  /**
   * The state after the last block.
   *
   * @return an immutable snapshot
   */
  public LedgerState state() {
    return tip.state();
  }

  /**
   * Reads a block.
   *
   * @param height the height
   * @return the block, or empty if there is none at that height
   * @throws IllegalStateException if the stored bytes no longer decode (the store was corrupted
   *     after opening)
   */
  public Optional<Block> block(long height) {
    if (height < 0) {
      throw new IllegalArgumentException("height %d must be >= 0".formatted(height));
    }
    Optional<StoredBlock> s = store.read(height);
    if (s.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Block.decode(s.get().encoded()));
    } catch (DecodeException e) {
      throw new IllegalStateException("stored block %d is corrupt: %s".formatted(height, e), e);
    }
  }

  /**
   * Builds the next block from candidate transactions: each candidate that applies on top of the
   * ones before it goes in, in order, the others are returned with their reasons. The block is
   * unsealed (empty seal): a consensus engine seals it with {@link Block#withSeal(byte[])}.
   *
   * @param candidates transactions to include, in order of preference
   * @param proposer the proposer, who receives the fees
   * @param timestamp block time, epoch ms, not before the head's
   * @return the block and the rejected candidates
   * @throws IllegalArgumentException if {@code timestamp} is before the head's time
   */
  public Proposal propose(List<Transaction> candidates, Address proposer, long timestamp) {
    Objects.requireNonNull(candidates, "candidates");
    Objects.requireNonNull(proposer, "proposer");
    Tip t = tip;
    BlockHeader parent = t.head();
    LedgerState base = t.state();
    if (timestamp < parent.timestamp()) {
      throw new IllegalArgumentException(
          "timestamp %d < head timestamp %d".formatted(timestamp, parent.timestamp()));
    }
    boolean[] badSig = new boolean[candidates.size()];
    java.util.stream.IntStream.range(0, candidates.size())
        .parallel()
        .forEach(i -> badSig[i] = !candidates.get(i).hasValidSignatures());
    LedgerState.Overlay o = new LedgerState.Overlay(base);
    List<Transaction> included = new ArrayList<>();
    List<Proposal.Skipped> skipped = new ArrayList<>();
    long bytes = 0;
    for (int i = 0; i < candidates.size(); i++) {
      Transaction tx = candidates.get(i);
      if (badSig[i]) {
        skipped.add(
            new Proposal.Skipped(
                tx,
                new TxResult.Rejected(
                    RejectReason.BAD_SIGNATURE, tx.signatureProblem().orElse("signature"))));
        continue;
      }
      if (included.size() == Block.MAX_TRANSACTIONS
          || bytes + tx.encodedLength() + 2 > Block.MAX_ENCODED_BYTES - 8192) {
        skipped.add(
            new Proposal.Skipped(
                tx, new TxResult.Rejected(RejectReason.BAD_BLOCK, "block is full")));
        continue;
      }
      TxResult.Rejected r = o.apply(tx, timestamp);
      if (r != null) {
        skipped.add(new Proposal.Skipped(tx, r));
      } else {
        included.add(tx);
        bytes += tx.encodedLength() + 2;
      }
    }
    TxResult.Rejected fees = o.payFees(proposer);
    if (fees != null) {
      throw new IllegalStateException("cannot pay fees to proposer " + proposer + ": " + fees);
    }
    LedgerState next = o.commit();
    BlockHeader h =
        new BlockHeader(
            parent.height() + 1,
            parent.hash(),
            Block.transactionsRoot(included),
            included.size(),
            next.root(),
            timestamp,
            proposer,
            new byte[0]);
    return new Proposal(new Block(h, included), skipped);
  }

  /**
   * Checks whether {@code block} would be appended now, without storing anything: the same
   * validation as {@link #append} (e.g. to vote on a block received from a peer).
   *
   * @param block the candidate next block
   * @return empty if valid, else why not
   */
  public Optional<String> check(Block block) {
    Objects.requireNonNull(block, "block");
    Tip t = tip;
    BlockValidator.Result r = BlockValidator.validate(block, t.head(), t.state(), seals);
    return r instanceof BlockValidator.Result.Invalid inv
        ? Optional.of(inv.reason())
        : Optional.empty();
  }

  /**
   * Validates {@code block} against the head and, if valid, stores it and advances the state. A
   * rejected block changes nothing. For a durable store, the block survives a crash once this
   * returns {@link BlockResult.Appended}.
   *
   * @param block the next block
   * @return appended, or rejected with the reason
   * @throws java.io.UncheckedIOException if the store fails (nothing changed)
   */
  public synchronized BlockResult append(Block block) {
    Objects.requireNonNull(block, "block");
    Tip t = tip;
    BlockValidator.Result r = BlockValidator.validate(block, t.head(), t.state(), seals);
    if (r instanceof BlockValidator.Result.Invalid inv) {
      LOG.debug("rejected block {} at height {}: {}", block.hash(), block.height(), inv.reason());
      return new BlockResult.Rejected(inv.reason());
    }
    Hash hash = block.hash();
    store.append(new StoredBlock(block.height(), hash, block.encode()));
    beforeHead = t;
    tip = new Tip(block.header(), ((BlockValidator.Result.Valid) r).state());
    LOG.debug("appended block {} at height {}", hash, block.height());
    return new BlockResult.Appended(block.height(), hash);
  }

  /**
   * The state before the head block, while the head may still be {@link #replaceHead replaced}.
   *
   * @return the state after the head's parent; empty for the genesis block and, after opening a
   *     stored chain, until the next block is appended
   */
  public synchronized Optional<LedgerState> stateBeforeHead() {
    return beforeHead == null ? Optional.empty() : Optional.of(beforeHead.state());
  }

  /**
   * Replaces the head block by a competitor for the same height on the same parent (a one-block
   * reorganisation; the caller decides which block wins, e.g. by consensus weight). The competitor
   * is validated against the parent exactly as {@link #append} would; a rejected competitor changes
   * nothing.
   *
   * @param block a block for the head's height whose parent is the head's parent
   * @return appended (the new head), or rejected with the reason (for a block of the head's height
   *     that was validated, the rejection means the block is invalid against its parent's state)
   * @throws UnsupportedOperationException if the block store cannot replace records ({@link
   *     org.gridtrade.ledger.spi.BlockStore#replaceLast}); nothing changed
   * @throws java.io.UncheckedIOException if the store fails (nothing changed)
   */
  public synchronized BlockResult replaceHead(Block block) {
    Objects.requireNonNull(block, "block");
    Tip t = tip;
    Tip before = beforeHead;
    if (before == null) {
      return new BlockResult.Rejected(
          "the head at height %d cannot be replaced (genesis, or reopened since it was appended)"
              .formatted(t.head().height()));
    }
    if (block.height() != t.head().height()) {
      return new BlockResult.Rejected(
          "block height %d is not the head's height %d"
              .formatted(block.height(), t.head().height()));
    }
    BlockValidator.Result r = BlockValidator.validate(block, before.head(), before.state(), seals);
    if (r instanceof BlockValidator.Result.Invalid inv) {
      return new BlockResult.Rejected(inv.reason());
    }
    Hash hash = block.hash();
    store.replaceLast(new StoredBlock(block.height(), hash, block.encode()));
    tip = new Tip(block.header(), ((BlockValidator.Result.Valid) r).state());
    LOG.debug("replaced head {} by {} at height {}", t.head().hash(), hash, block.height());
    return new BlockResult.Appended(block.height(), hash);
  }

  /**
   * An inclusion proof of one transaction in one block, checkable against the block header's {@link
   * BlockHeader#transactionsRoot()} alone.
   *
   * @param height the block height
   * @param index the transaction's index in the block
   * @return the proof
   * @throws IllegalArgumentException if there is no such block or transaction
   */
  public InclusionProof proveTransaction(long height, int index) {
    Block b =
        block(height)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "height %d > chain height %d".formatted(height, height())));
    if (index < 0 || index >= b.transactions().size()) {
      throw new IllegalArgumentException(
          "index %d not in 0..%d of block %d"
              .formatted(index, b.transactions().size() - 1, height));
    }
    return b.transactionsTree().inclusionProof(index);
  }

  /**
   * Verifies the whole stored chain again (see {@link ChainVerifier}).
   *
   * @return the report
   */
  public ChainReport verify() {
    return ChainVerifier.verify(store, genesis, seals);
  }

  /**
   * Bytes the store uses.
   *
   * @return the store's {@link BlockStore#sizeInBytes()}
   */
  public long storeSizeInBytes() {
    return store.sizeInBytes();
  }

  /** Closes the block store. */
  @Override
  public void close() {
    store.close();
  }

  /**
   * A block built by {@link #propose}, and the candidates left out.
   *
   * @param block the unsealed block
   * @param skipped the candidates that did not go in, with why
   */
  public record Proposal(Block block, List<Skipped> skipped) {
    public Proposal {
      Objects.requireNonNull(block, "block");
      skipped = List.copyOf(skipped);
    }

    /**
     * A candidate left out of a block.
     *
     * @param transaction the candidate
     * @param rejection why it was left out
     */
    public record Skipped(Transaction transaction, TxResult.Rejected rejection) {
      public Skipped {
        Objects.requireNonNull(transaction, "transaction");
        Objects.requireNonNull(rejection, "rejection");
      }
    }
  }
}
