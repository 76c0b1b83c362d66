package org.gridtrade.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;

/**
 * A seeded stream of signed transfers among a set of funded keys, each carrying its sender's next
 * nonce, so that a chain that includes them in order accepts every one (as long as the senders stay
 * funded): a random sender pays a random other key an amount from 1 to {@code maxAmount} with the
 * given fee. The same seed and keys give the same transactions. Not thread-safe.
 */
public final class TransferSource {
  private final int chainId;
  private final List<KeyPair> keys;
  private final long[] nonces;
  private final long maxAmount;
  private final long fee;
  private final SplittableRandom random;

  /**
   * A source starting at nonce 0 for every key.
   *
   * @param chainId the chain the transfers are for
   * @param keys the senders and receivers, at least 2
   * @param maxAmount the largest amount, micro-coins, 1 or more
   * @param fee each transfer's fee, 0 or more
   * @param seed the seed
   * @throws IllegalArgumentException if fewer than 2 keys or an amount is out of range
   */
  public TransferSource(int chainId, List<KeyPair> keys, long maxAmount, long fee, long seed) {
    this.keys = List.copyOf(keys);
    if (this.keys.size() < 2) {
      throw new IllegalArgumentException(
          "keys: %d given, a transfer needs at least 2".formatted(this.keys.size()));
    }
    if (maxAmount < 1 || fee < 0) {
      throw new IllegalArgumentException(
          "maxAmount %d must be >= 1 and fee %d >= 0".formatted(maxAmount, fee));
    }
    this.chainId = chainId;
    this.nonces = new long[this.keys.size()];
    this.maxAmount = maxAmount;
    this.fee = fee;
    this.random = new SplittableRandom(seed);
  }

  /**
   * The next transfer.
   *
   * @return a signed transfer with its sender's next nonce
   */
  public Transaction next() {
    int from = random.nextInt(keys.size());
    int to = (from + 1 + random.nextInt(keys.size() - 1)) % keys.size();
    KeyPair k = keys.get(from);
    long amount = 1 + random.nextLong(maxAmount);
    return new TransactionBody(
            chainId,
            k.publicKey(),
            nonces[from]++,
            fee,
            new Payload.Transfer(keys.get(to).address(), amount))
        .sign(k);
  }

  /**
   * The next {@code n} transfers.
   *
   * @param n how many, 0 or more
   * @return the transfers, in order
   */
  public List<Transaction> next(int n) {
    List<Transaction> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(next());
    }
    return out;
  }

  /**
   * Takes every key's next nonce from a state (after transfers were lost or refused), so that the
   * next transfers are valid on it.
   *
   * @param state the state the next transfers should apply to
   */
  public void resync(LedgerState state) {
    Objects.requireNonNull(state, "state");
    for (int i = 0; i < keys.size(); i++) {
      nonces[i] = state.account(keys.get(i).address()).nonce();
    }
  }
}
