package org.gridtrade.consensus;

import java.util.Objects;
import java.util.Optional;
import org.gridtrade.consensus.spi.ConsensusProtocol;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.Hash;

/**
 * Proof that a proposer signed two different blocks at one height (equivocation): both headers.
 * Anyone can check it with the protocol alone, no chain needed: both seals verify for the same
 * signer, the heights are equal, the hashes differ.
 *
 * <p>The two headers are stored in ascending hash order, so the same pair always gives an equal
 * {@code Evidence} with the same {@link #id()}. Immutable.
 *
 * @param first the header with the lower hash
 * @param second the header with the higher hash
 */
public record Evidence(BlockHeader first, BlockHeader second) {
  public Evidence {
    Objects.requireNonNull(first, "first");
    Objects.requireNonNull(second, "second");
    if (first.hash().compareTo(second.hash()) > 0) {
      BlockHeader t = first;
      first = second;
      second = t;
    }
  }

  /**
   * Identifies the evidence: {@code SHA-256(first hash ‖ second hash)} (what a slash transaction
   * would reference).
   *
   * @return the id
   */
  public Hash id() {
    return Hash.sha256(first.hash().bytes(), second.hash().bytes());
  }

  /**
   * The height both blocks claim.
   *
   * @return the height
   */
  public long height() {
    return first.height();
  }

  /**
   * Checks the evidence.
   *
   * @param protocol the protocol that governs the height (it reads the seals)
   * @return the offender, or empty if this is not valid evidence of equivocation
   */
  public Optional<Address> offender(ConsensusProtocol protocol) {
    return problem(protocol).isPresent() ? Optional.empty() : protocol.signer(first);
  }

  /**
   * Why this is not valid evidence, if it is not.
   *
   * @param protocol the protocol that governs the height
   * @return empty if valid, else the reason
   */
  public Optional<String> problem(ConsensusProtocol protocol) {
    Objects.requireNonNull(protocol, "protocol");
    if (first.height() != second.height()) {
      return Optional.of("heights differ: %d and %d".formatted(first.height(), second.height()));
    }
    if (first.hash().equals(second.hash())) {
      return Optional.of("the two headers are the same block " + first.hash());
    }
    Optional<Address> a = protocol.signer(first);
    Optional<Address> b = protocol.signer(second);
    if (a.isEmpty() || b.isEmpty()) {
      return Optional.of("a seal does not verify");
    }
    if (!a.equals(b)) {
      return Optional.of("different signers %s and %s".formatted(a.get(), b.get()));
    }
    return Optional.empty();
  }
}
