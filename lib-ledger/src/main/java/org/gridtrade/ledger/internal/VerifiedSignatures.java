package org.gridtrade.ledger.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.gridtrade.ledger.Hash;

/**
 * The SHA-256 digests of the last {@value #CAPACITY} transaction encodings (signatures included)
 * whose signatures verified in this process. A node checks a transaction when it arrives alone and
 * again when it arrives inside a block, as a fresh decoded copy: the second check finds the same
 * bytes here and costs one hash instead of an Ed25519 verification. Keyed by the whole encoding,
 * never by the transaction id (which leaves out the signature), so a copy with other signature
 * bytes is verified afresh. Only successes are remembered; the oldest entry goes first.
 * Thread-safe.
 */
public final class VerifiedSignatures {
  /** How many encodings are remembered (about 100 bytes each). */
  public static final int CAPACITY = 1 << 16;

  private static final Map<Hash, Boolean> SEEN = new ConcurrentHashMap<>();
  private static final Hash[] RING = new Hash[CAPACITY];
  private static final AtomicLong NEXT = new AtomicLong();

  private VerifiedSignatures() {}

  /**
   * Whether these exact bytes verified before.
   *
   * @param digest the SHA-256 of the encoding
   * @return true if remembered
   */
  public static boolean contains(Hash digest) {
    return SEEN.containsKey(digest);
  }

  /**
   * Remembers an encoding whose signatures verified, forgetting the oldest beyond the capacity.
   *
   * @param digest the SHA-256 of the encoding
   */
  public static void add(Hash digest) {
    if (SEEN.putIfAbsent(digest, Boolean.TRUE) != null) {
      return;
    }
    int slot = (int) (NEXT.getAndIncrement() & (CAPACITY - 1));
    Hash old;
    synchronized (RING) {
      old = RING[slot];
      RING[slot] = digest;
    }
    if (old != null) {
      SEEN.remove(old);
    }
  }
}
