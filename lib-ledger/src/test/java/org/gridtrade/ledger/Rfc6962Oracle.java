package org.gridtrade.ledger;

import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.crypto.digests.SHA256Digest;

/**
 * The RFC 6962 §2.1 definitions transcribed literally (MTH, PATH, PROOF/SUBPROOF), recursive and
 * slow, hashing with BouncyCastle's SHA-256: an oracle that shares no code with {@link MerkleTree}.
 */
final class Rfc6962Oracle {
  private Rfc6962Oracle() {}

  static byte[] sha256(byte[]... parts) {
    SHA256Digest d = new SHA256Digest();
    for (byte[] p : parts) {
      d.update(p, 0, p.length);
    }
    byte[] out = new byte[d.getDigestSize()];
    d.doFinal(out, 0);
    return out;
  }

  /** The largest power of two strictly less than {@code n}, by counting, for {@code n > 1}. */
  static int split(int n) {
    int k = 1;
    while (2 * k < n) {
      k *= 2;
    }
    return k;
  }

  /** MTH(D[from:to]). */
  static byte[] mth(List<byte[]> d, int from, int to) {
    int n = to - from;
    if (n == 0) {
      return sha256();
    }
    if (n == 1) {
      return sha256(new byte[] {0}, d.get(from));
    }
    int k = split(n);
    return sha256(new byte[] {1}, mth(d, from, from + k), mth(d, from + k, to));
  }

  static Hash root(List<byte[]> d) {
    return Hash.of(mth(d, 0, d.size()));
  }

  /** PATH(m, D[from:to]), the audit path of leaf {@code m} of the sub-list. */
  static List<Hash> path(int m, List<byte[]> d, int from, int to) {
    int n = to - from;
    List<Hash> out = new ArrayList<>();
    if (n == 1) {
      return out;
    }
    int k = split(n);
    if (m < k) {
      out.addAll(path(m, d, from, from + k));
      out.add(Hash.of(mth(d, from + k, to)));
    } else {
      out.addAll(path(m - k, d, from + k, to));
      out.add(Hash.of(mth(d, from, from + k)));
    }
    return out;
  }

  /** PROOF(m, D[n]) = SUBPROOF(m, D[n], true), for {@code 0 < m <= n}. */
  static List<Hash> proof(int m, List<byte[]> d) {
    return subproof(m, d, 0, d.size(), true);
  }

  private static List<Hash> subproof(int m, List<byte[]> d, int from, int to, boolean b) {
    int n = to - from;
    List<Hash> out = new ArrayList<>();
    if (m == n) {
      if (!b) {
        out.add(Hash.of(mth(d, from, to)));
      }
      return out;
    }
    int k = split(n);
    if (m <= k) {
      out.addAll(subproof(m, d, from, from + k, b));
      out.add(Hash.of(mth(d, from + k, to)));
    } else {
      out.addAll(subproof(m - k, d, from + k, to, false));
      out.add(Hash.of(mth(d, from, from + k)));
    }
    return out;
  }
}
