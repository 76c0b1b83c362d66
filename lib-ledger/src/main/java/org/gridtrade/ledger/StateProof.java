package org.gridtrade.ledger;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.gridtrade.ledger.internal.ByteReader;
import org.gridtrade.ledger.internal.ByteWriter;
import org.gridtrade.ledger.internal.Digests;
import org.gridtrade.ledger.internal.state.Node;
import org.gridtrade.ledger.internal.state.SparseMerkleTree;

/**
 * A proof of one key's value, or of its absence, in the state a block header commits to: what a
 * light client (a meter, an EV owner's phone) checks with the header alone, without the ledger.
 *
 * <pre>{@code
 * StateProof p = ledger.proveState(StateKey.account(me));
 * byte[] wire = p.encode();                        // send it to the client ...
 * StateProof q = StateProof.decode(wire);          // ... which checks it against a header
 * if (q.verify(header, StateKey.account(me))) { Account a = q.account().orElse(Account.EMPTY); }
 * }</pre>
 *
 * <p>The state is a binary sparse Merkle tree over the 256 bits of {@code SHA-256(key)} (most
 * significant bit first), in which a subtree holding one key is that key's leaf and an empty
 * subtree hashes to 32 zero bytes: a leaf hashes to {@code SHA-256(0x00 ‖ SHA-256(key) ‖
 * SHA-256(value))}, an inner node to {@code SHA-256(0x01 ‖ left ‖ right)}. A proof lists the
 * sibling hashes along the key's path, root first, and says what the path ends in: the key's own
 * leaf (the key is present, with the proof's value), an empty subtree, or another key's leaf (both
 * prove absence). Verifying rehashes from that end up to the root: one SHA-256 per level, about
 * {@code log2(number of keys)} levels.
 *
 * <p>Encoding ({@link #encode()}): {@code 0x01 ‖ u16 key length ‖ key ‖ kind} (0 present, 1 empty,
 * 2 other leaf) {@code ‖} the value ({@code u32 length ‖ bytes}) or the other leaf ({@code its key
 * hash ‖ its value hash}) {@code ‖ u16 depth ‖} a bitmap of the non-empty siblings ({@code
 * ceil(depth / 8)} bytes, most significant bit first) {@code ‖} those siblings, 32 bytes each. At
 * 10^7 keys a proof is about 24 siblings deep: under 1 KB. Immutable; thread-safe.
 */
public final class StateProof {
  private static final int FORMAT = 1;
  private static final int PRESENT = 0;
  private static final int EMPTY = 1;
  private static final int OTHER = 2;
  private static final int MAX_DEPTH = 256;

  private final StateKey key;
  private final byte[] value; // present: the value; else null
  private final byte[] otherKeyHash; // OTHER: the leaf at the end of the path; else null
  private final byte[] otherValueHash;
  private final List<byte[]> siblings; // root first

  private StateProof(
      StateKey key,
      byte[] value,
      byte[] otherKeyHash,
      byte[] otherValueHash,
      List<byte[]> siblings) {
    this.key = key;
    this.value = value;
    this.otherKeyHash = otherKeyHash;
    this.otherValueHash = otherValueHash;
    this.siblings = siblings;
  }

  static StateProof of(StateKey key, LedgerState state) {
    SparseMerkleTree.Path path = state.view().prove(key.hash());
    List<byte[]> siblings = new ArrayList<>(path.siblings());
    Node.Leaf leaf = path.leaf();
    if (leaf == null) {
      return new StateProof(key, null, null, null, siblings);
    }
    if (Arrays.equals(leaf.keyHash(), key.hash())) {
      return new StateProof(key, leaf.value().clone(), null, null, siblings);
    }
    return new StateProof(
        key, null, leaf.keyHash().clone(), Digests.sha256(leaf.value()), siblings);
  }

  /**
   * The key this proof is about.
   *
   * @return the key
   */
  public StateKey key() {
    return key;
  }

  /**
   * The proven value: present if the proof shows the key present, empty if it shows it absent. Only
   * meaningful once {@link #verify} returned true.
   *
   * @return a copy of the value, or empty
   */
  public Optional<byte[]> value() {
    return value == null ? Optional.empty() : Optional.of(value.clone());
  }

  /**
   * The proven account, for an account key ({@link StateKey#account}).
   *
   * @return the account, or empty if the key is absent (an untouched account: {@link
   *     Account#EMPTY})
   * @throws IllegalStateException if the key is not an account key
   */
  public Optional<Account> account() {
    if (key.namespace() != StateKey.ACCOUNT) {
      throw new IllegalStateException("%s is not an account key".formatted(key));
    }
    return value == null ? Optional.empty() : Optional.of(LedgerState.decodeAccount(value));
  }

  /**
   * Number of sibling hashes: the depth of the key's path.
   *
   * @return 0..256
   */
  public int depth() {
    return siblings.size();
  }

  /**
   * Checks the proof against a block header's state root.
   *
   * @param header a header the client trusts (e.g. one whose seal it checked)
   * @param key the key the client asks about
   * @return true if the proof shows {@code key}'s value ({@link #value()}), or its absence, in the
   *     state after that block
   */
  public boolean verify(BlockHeader header, StateKey key) {
    return verify(Objects.requireNonNull(header, "header").stateRoot(), key);
  }

  /**
   * Checks the proof against a state root.
   *
   * @param stateRoot the root, as in {@link BlockHeader#stateRoot()}
   * @param key the key the client asks about
   * @return true if the proof shows {@code key}'s value, or its absence, under that root
   */
  public boolean verify(Hash stateRoot, StateKey key) {
    Objects.requireNonNull(stateRoot, "stateRoot");
    Objects.requireNonNull(key, "key");
    if (!key.equals(this.key)) {
      return false;
    }
    byte[] keyHash = Digests.sha256(key.unsafeBytes());
    int depth = siblings.size();
    byte[] h;
    if (value != null) {
      h = Node.leafHash(keyHash, Digests.sha256(value));
    } else if (otherKeyHash != null) {
      if (Arrays.equals(otherKeyHash, keyHash) || !samePrefix(otherKeyHash, keyHash, depth)) {
        return false;
      }
      h = Node.leafHash(otherKeyHash, otherValueHash);
    } else {
      h = new byte[32];
    }
    for (int i = depth - 1; i >= 0; i--) {
      byte[] s = siblings.get(i);
      h = bit(keyHash, i) == 0 ? Node.branchHash(h, s) : Node.branchHash(s, h);
    }
    return MessageDigest.isEqual(h, stateRoot.unsafeBytes());
  }

  private static boolean samePrefix(byte[] a, byte[] b, int bits) {
    for (int i = 0; i < bits; i++) {
      if (bit(a, i) != bit(b, i)) {
        return false;
      }
    }
    return true;
  }

  private static int bit(byte[] h, int i) {
    return (h[i >>> 3] >>> (7 - (i & 7))) & 1;
  }

  /**
   * The canonical encoding.
   *
   * @return new bytes
   */
  public byte[] encode() {
    byte[] k = key.unsafeBytes();
    int depth = siblings.size();
    byte[] bitmap = new byte[(depth + 7) / 8];
    int nonEmpty = 0;
    for (int i = 0; i < depth; i++) {
      if (!isZero(siblings.get(i))) {
        bitmap[i >>> 3] |= (byte) (0x80 >>> (i & 7));
        nonEmpty++;
      }
    }
    ByteWriter w =
        new ByteWriter(64 + k.length + (value == null ? 64 : value.length) + 32 * nonEmpty);
    w.u8(FORMAT).u16(k.length).raw(k);
    if (value != null) {
      w.u8(PRESENT).i32(value.length).raw(value);
    } else if (otherKeyHash != null) {
      w.u8(OTHER).raw(otherKeyHash).raw(otherValueHash);
    } else {
      w.u8(EMPTY);
    }
    w.u16(depth).raw(bitmap);
    for (byte[] s : siblings) {
      if (!isZero(s)) {
        w.raw(s);
      }
    }
    return w.toByteArray();
  }

  /**
   * The length of {@link #encode()}.
   *
   * @return bytes
   */
  public int encodedLength() {
    return encode().length;
  }

  private static boolean isZero(byte[] h) {
    for (byte b : h) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Decodes a proof.
   *
   * @param bytes an encoding from {@link #encode()}
   * @return the proof (not yet verified)
   * @throws DecodeException if the bytes are not a well-formed proof
   */
  public static StateProof decode(byte[] bytes) throws DecodeException {
    Objects.requireNonNull(bytes, "bytes");
    ByteReader r = new ByteReader(bytes);
    int format = r.u8("format");
    if (format != FORMAT) {
      throw new DecodeException("format %d != %d".formatted(format, FORMAT));
    }
    int kl = r.u16("key length");
    if (kl < 1 || kl > StateKey.MAX_LENGTH) {
      throw new DecodeException("key length %d not in 1..%d".formatted(kl, StateKey.MAX_LENGTH));
    }
    StateKey key = StateKey.decode(r.raw(kl, "key"));
    int kind = r.u8("kind");
    byte[] value = null;
    byte[] otherKey = null;
    byte[] otherValue = null;
    if (kind == PRESENT) {
      int vl = r.i32("value length");
      if (vl < 0 || vl > Node.MAX_VALUE || vl > r.remaining()) {
        throw new DecodeException(
            "value length %d not in 0..%d".formatted(vl, Math.min(Node.MAX_VALUE, r.remaining())));
      }
      value = r.raw(vl, "value");
    } else if (kind == OTHER) {
      otherKey = r.raw(32, "other leaf key hash");
      otherValue = r.raw(32, "other leaf value hash");
    } else if (kind != EMPTY) {
      throw new DecodeException(
          "kind %d is not 0 (present), 1 (empty) or 2 (other leaf)".formatted(kind));
    }
    int depth = r.u16("depth");
    if (depth > MAX_DEPTH) {
      throw new DecodeException("depth %d > %d".formatted(depth, MAX_DEPTH));
    }
    byte[] bitmap = r.raw((depth + 7) / 8, "sibling bitmap");
    if (depth % 8 != 0 && (bitmap[bitmap.length - 1] & (0xFF >>> (depth % 8))) != 0) {
      throw new DecodeException("sibling bitmap has bits set beyond depth " + depth);
    }
    List<byte[]> siblings = new ArrayList<>(depth);
    for (int i = 0; i < depth; i++) {
      boolean present = (bitmap[i >>> 3] & (0x80 >>> (i & 7))) != 0;
      if (present) {
        byte[] s = r.raw(32, "sibling " + i);
        if (isZero(s)) {
          throw new DecodeException("sibling %d is marked non-empty but is zero".formatted(i));
        }
        siblings.add(s);
      } else {
        siblings.add(new byte[32]);
      }
    }
    r.expectEnd("state proof");
    return new StateProof(key, value, otherKey, otherValue, List.copyOf(siblings));
  }

  @Override
  public String toString() {
    return "StateProof[%s, %s, depth %d]"
        .formatted(key, value != null ? "present" : "absent", siblings.size());
  }
}
