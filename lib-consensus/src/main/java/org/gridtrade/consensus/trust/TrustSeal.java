package org.gridtrade.consensus.trust;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.InclusionProof;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.PublicKey;
import org.gridtrade.ledger.Signature;

/**
 * Trust stake's seal codec: a decoded seal (its version, the signer's key, the evidence bytes with
 * the kind first, the signature), how a seal is signed and checked, and the evidence layouts
 * (TrustStake's class notes). Headers in evidence use the one header codec, {@link
 * BlockHeader#encode()} and {@link BlockHeader#decode}.
 */
record TrustSeal(int version, PublicKey sealer, byte[] evidence, Signature signature) {
  private static final byte[] DOMAIN = "GridTrade/trust/v1".getBytes(StandardCharsets.US_ASCII);

  /** The version this node writes: evidence headers as u16-length canonical encodings. */
  static final int VERSION = 2;

  /**
   * Seals of version 1 (still read) hold evidence headers in the canonical encoding without its
   * leading version byte; their length follows from the seal length at the end.
   */
  static final int LEGACY = 1;

  static byte[] sign(BlockHeader unsealed, KeyPair key, byte[] evidence) {
    byte[] body =
        ByteBuffer.allocate(1 + PublicKey.LENGTH + evidence.length)
            .put((byte) VERSION)
            .put(key.publicKey().bytes())
            .put(evidence)
            .array();
    Signature sig = key.sign(message(unsealed.sealingHash(), body));
    byte[] out =
        ByteBuffer.allocate(body.length + Signature.LENGTH).put(body).put(sig.bytes()).array();
    if (out.length > BlockHeader.MAX_SEAL_BYTES) {
      throw new IllegalStateException(
          "seal with evidence has %d bytes > %d".formatted(out.length, BlockHeader.MAX_SEAL_BYTES));
    }
    return out;
  }

  boolean verifies(BlockHeader header) {
    byte[] body =
        ByteBuffer.allocate(1 + PublicKey.LENGTH + evidence.length)
            .put((byte) version)
            .put(sealer.bytes())
            .put(evidence)
            .array();
    return sealer.verify(message(header.sealingHash(), body), signature);
  }

  static TrustSeal decode(byte[] bytes) {
    int min = 1 + PublicKey.LENGTH + 1 + Signature.LENGTH;
    if (bytes.length < min) {
      throw new IllegalArgumentException(
          "seal has %d bytes, needs at least %d".formatted(bytes.length, min));
    }
    int version = bytes[0];
    if (version != VERSION && version != LEGACY) {
      throw new IllegalArgumentException(
          "seal version %d is not %d or %d".formatted(version, LEGACY, VERSION));
    }
    byte[] pk = java.util.Arrays.copyOfRange(bytes, 1, 1 + PublicKey.LENGTH);
    int evEnd = bytes.length - Signature.LENGTH;
    byte[] ev = java.util.Arrays.copyOfRange(bytes, 1 + PublicKey.LENGTH, evEnd);
    try {
      parseEvidence(ByteBuffer.wrap(ev), version);
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("seal evidence is truncated");
    }
    byte[] sig = java.util.Arrays.copyOfRange(bytes, evEnd, bytes.length);
    return new TrustSeal(version, PublicKey.of(pk), ev, Signature.of(sig));
  }

  /** Evidence of kind {@code headers.size()} (1 or 2) in the current version's layout. */
  static byte[] encodeEvidence(List<BlockHeader> headers) {
    ByteBuffer b = ByteBuffer.allocate(1 + headers.size() * (2 + BlockHeader.MAX_ENCODED_BYTES));
    b.put((byte) headers.size());
    for (BlockHeader h : headers) {
      byte[] encoded = h.encode();
      b.putShort((short) encoded.length).put(encoded);
    }
    return java.util.Arrays.copyOf(b.array(), b.position());
  }

  /**
   * One header of evidence, through {@link BlockHeader#decode}: version 2 writes a u16 length and
   * the canonical encoding; version 1 wrote the encoding without its version byte (1).
   */
  private static BlockHeader header(ByteBuffer in, int version) {
    byte[] encoded;
    if (version == LEGACY) {
      int fixed = BlockHeader.ENCODED_BYTES_WITHOUT_SEAL - 1;
      if (in.remaining() < fixed) {
        throw new BufferUnderflowException();
      }
      int n = fixed + (in.getShort(in.position() + fixed - 2) & 0xffff);
      if (n > in.remaining()) {
        throw new BufferUnderflowException();
      }
      encoded = new byte[1 + n];
      encoded[0] = 1;
      in.get(encoded, 1, n);
    } else {
      int n = in.getShort() & 0xffff;
      if (n > in.remaining()) {
        throw new BufferUnderflowException();
      }
      encoded = new byte[n];
      in.get(encoded);
    }
    try {
      return BlockHeader.decode(encoded);
    } catch (org.gridtrade.ledger.DecodeException e) {
      throw new IllegalArgumentException("evidence header: " + e.getMessage());
    }
  }

  /** The evidence kind of an attestation. */
  static final int ATTESTATION = 4;

  /**
   * Parsed evidence: the kind, its headers (kinds 1–3), for kind 3 the transaction's and the
   * proof's bytes, for kind 4 the attested block.
   */
  record Parsed(int kind, List<BlockHeader> headers, byte[] tx, byte[] proof, Attested attested) {}

  /**
   * Kind 0: none; 1 (one header): invalid header; 2 (two headers): equivocation; 3 (one header,
   * then a u32-length transaction and a u32-length inclusion proof): a block holding a transaction
   * that does not decode or whose signature does not verify; 4 ({@code height ‖ previousHash ‖ hash
   * ‖ proposer}): an attestation that the block was invalid. Headers are read as the seal's {@code
   * version} wrote them.
   */
  static Parsed parseEvidence(ByteBuffer in, int version) {
    int kind = in.get() & 0xff;
    if (kind > ATTESTATION) {
      throw new IllegalArgumentException("evidence kind %d not in 0..4".formatted(kind));
    }
    Attested attested = null;
    if (kind == ATTESTATION) {
      long height = in.getLong();
      Hash prev = hash(in);
      Hash h = hash(in);
      byte[] a = new byte[Address.LENGTH];
      in.get(a);
      attested = new Attested(height, prev, h, Address.ofBytes(a));
    }
    int headers = kind == 3 ? 1 : kind == ATTESTATION ? 0 : kind;
    List<BlockHeader> out = new ArrayList<>(headers);
    for (int i = 0; i < headers; i++) {
      out.add(header(in, version));
    }
    byte[][] parts = new byte[2][];
    if (kind == 3) {
      for (int part = 0; part < 2; part++) {
        int n = in.getInt();
        if (n < 0 || n > in.remaining()) {
          throw new IllegalArgumentException(
              "evidence part of %d bytes, %d left".formatted(n, in.remaining()));
        }
        parts[part] = new byte[n];
        in.get(parts[part]);
      }
    }
    if (in.hasRemaining()) {
      throw new IllegalArgumentException("%d bytes after the evidence".formatted(in.remaining()));
    }
    return new Parsed(kind, out, parts[0], parts[1], attested);
  }

  /** Kind 4 evidence: an attestation that {@code header}'s block is invalid. */
  static byte[] encodeAttestation(BlockHeader header) {
    return ByteBuffer.allocate(1 + 8 + 2 * Hash.LENGTH + Address.LENGTH)
        .put((byte) ATTESTATION)
        .putLong(header.height())
        .put(header.previousHash().bytes())
        .put(header.hash().bytes())
        .put(header.proposer().bytes())
        .array();
  }

  /** Kind 3 evidence: the header, the transaction's bytes and their inclusion proof. */
  static byte[] encodeInvalidTransaction(BlockHeader header, byte[] tx, InclusionProof proof) {
    byte[] h = encodeEvidence(List.of(header));
    h[0] = 3;
    byte[] p = proof.encode();
    return ByteBuffer.allocate(h.length + 4 + tx.length + 4 + p.length)
        .put(h)
        .putInt(tx.length)
        .put(tx)
        .putInt(p.length)
        .put(p)
        .array();
  }

  /** The transaction and proof of kind-3 evidence, or empty for another kind. */
  static Optional<InvalidTransaction> invalidTransaction(byte[] evidence, int version) {
    if (evidence.length == 0 || evidence[0] != 3) {
      return Optional.empty();
    }
    Parsed p = parseEvidence(ByteBuffer.wrap(evidence), version);
    try {
      return Optional.of(new InvalidTransaction(p.tx(), InclusionProof.decode(p.proof())));
    } catch (org.gridtrade.ledger.DecodeException e) {
      throw new IllegalArgumentException("evidence proof does not decode: " + e.getMessage());
    }
  }

  private static Hash hash(ByteBuffer in) {
    byte[] b = new byte[Hash.LENGTH];
    in.get(b);
    return Hash.of(b);
  }

  private static byte[] message(Hash sealingHash, byte[] body) {
    return ByteBuffer.allocate(DOMAIN.length + Hash.LENGTH + body.length)
        .put(DOMAIN)
        .put(sealingHash.bytes())
        .put(body)
        .array();
  }

  /** The transaction of kind-3 evidence and its inclusion proof. */
  record InvalidTransaction(byte[] tx, InclusionProof proof) {}

  /** The block an attestation names. */
  record Attested(long height, Hash previousHash, Hash hash, Address proposer) {}
}
