package org.gridtrade.ledger;

import java.util.Optional;
import org.gridtrade.ledger.spi.SealVerifier;

/** The one set of rules a block must meet on top of its parent; shared by append and verify. */
final class BlockValidator {
  private BlockValidator() {}

  /** The state after {@code block}, or the reason it is invalid. */
  sealed interface Result {
    record Valid(LedgerState state) implements Result {}

    record Invalid(String reason) implements Result {}
  }

  static Result validate(
      Block block, BlockHeader parent, LedgerState parentState, SealVerifier seals) {
    return validate(block, parent, parentState, seals, null);
  }

  /**
   * Validates {@code block}; if {@code executed} is the state its transactions were already found
   * to produce on {@code parentState} (the proposer's own block), they are not executed again.
   */
  static Result validate(
      Block block,
      BlockHeader parent,
      LedgerState parentState,
      SealVerifier seals,
      LedgerState executed) {
    BlockHeader h = block.header();
    if (h.height() != parent.height() + 1) {
      return invalid(
          "height %d does not follow parent height %d".formatted(h.height(), parent.height()));
    }
    Hash parentHash = parent.hash();
    if (!h.previousHash().equals(parentHash)) {
      return invalid(
          "previousHash %s != hash %s of block %d"
              .formatted(h.previousHash(), parentHash, parent.height()));
    }
    if (h.timestamp() < parent.timestamp()) {
      return invalid(
          "timestamp %d < parent timestamp %d".formatted(h.timestamp(), parent.timestamp()));
    }
    Hash txRoot = Block.transactionsRoot(block.transactions());
    if (!h.transactionsRoot().equals(txRoot)) {
      return invalid(
          "transactionsRoot %s != Merkle root %s of its transactions"
              .formatted(h.transactionsRoot(), txRoot));
    }
    Optional<String> seal;
    try {
      seal = seals.check(h, parent, parentState);
    } catch (RuntimeException e) {
      seal = Optional.of("seal verifier failed: " + e);
    }
    if (seal.isPresent()) {
      return invalid("seal: " + seal.get());
    }
    if (executed != null) {
      return executed.root().equals(h.stateRoot())
          ? new Result.Valid(executed)
          : invalid(
              "stateRoot %s != root %s of the state after its transactions"
                  .formatted(h.stateRoot(), executed.root()));
    }
    LedgerState.Outcome o = parentState.apply(block.transactions(), h.proposer(), h.timestamp());
    if (o instanceof LedgerState.Outcome.Rejected r) {
      return invalid(
          r.index() < 0
              ? "fees: " + r.rejection()
              : "transaction %d (%s): %s"
                  .formatted(r.index(), block.transactions().get(r.index()).id(), r.rejection()));
    }
    LedgerState next = ((LedgerState.Outcome.Applied) o).state();
    if (!next.root().equals(h.stateRoot())) {
      return invalid(
          "stateRoot %s != root %s of the state after its transactions"
              .formatted(h.stateRoot(), next.root()));
    }
    return new Result.Valid(next);
  }

  private static Result invalid(String reason) {
    return new Result.Invalid(reason);
  }
}
