package org.gridtrade.ledger.spi;

import java.util.Optional;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.LedgerState;

/**
 * Checks a block header's consensus seal. The ledger treats the seal as opaque bytes; a consensus
 * engine (Proof of Authority, Proof of Energy Generation, ...) implements this so that appending
 * and chain verification also check who sealed each block.
 *
 * <p>Implementations must be deterministic and thread-safe, and must not throw for a bad seal: they
 * return the reason.
 */
@FunctionalInterface
public interface SealVerifier {

  /**
   * Checks the seal of {@code header}.
   *
   * @param header the header to check (its height is 1 or more)
   * @param parent the header of the previous block
   * @param parentState the state after the previous block (stakes, balances)
   * @return empty if the seal is valid, else why not
   */
  Optional<String> check(BlockHeader header, BlockHeader parent, LedgerState parentState);

  /**
   * A verifier that accepts every seal: for tests and single-node simulations.
   *
   * @return the permissive verifier
   */
  static SealVerifier acceptAll() {
    return (header, parent, state) -> Optional.empty();
  }
}
