package org.gridtrade.ledger;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.gridtrade.ledger.internal.ByteReader;
import org.gridtrade.ledger.internal.ByteWriter;

/**
 * The canonical binary encoding of ledger objects: one encoding per object, big-endian fixed-width
 * integers, length-prefixed strings, a version byte in front of every top-level object. Decoders
 * check every length before they allocate, reject trailing bytes and non-canonical forms.
 */
final class Codec {
  static final int VERSION = 1;

  private static final byte[] TX_DOMAIN = ascii("GridTrade/tx/v1");
  private static final byte[] DR_TOKEN_DOMAIN = ascii("GridTrade/dr-token/v1");
  private static final byte[] DR_MESSAGE_DOMAIN = ascii("GridTrade/dr/v1");

  /** Offset of the payload tag in an encoded transaction. */
  static final int PAYLOAD_TAG_OFFSET = 1 + 4 + PublicKey.LENGTH + 8 + 8;

  private Codec() {}

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  static byte[] signingMessage(byte[] bodyBytes) {
    return concat(TX_DOMAIN, bodyBytes);
  }

  // ---- transactions ----

  static byte[] encodeBody(TransactionBody b) {
    ByteWriter w = new ByteWriter(160);
    w.u8(VERSION).i32(b.chainId()).raw(b.sender().unsafeBytes()).i64(b.nonce()).i64(b.fee());
    Payload p = b.payload();
    w.u8(p.tag());
    if (p instanceof Payload.Transfer t) {
      w.raw(t.to().unsafeBytes()).i64(t.amount());
    } else if (p instanceof Payload.EnergyTrade t) {
      w.raw(t.seller().unsafeBytes())
          .raw(t.buyer().unsafeBytes())
          .i64(t.energyWh())
          .i64(t.priceMicroPerKWh())
          .string(t.market());
    } else if (p instanceof Payload.Stake s) {
      w.i64(s.amount());
    } else if (p instanceof Payload.Unstake u) {
      w.i64(u.amount());
    } else if (p instanceof Payload.Slash s) {
      w.raw(s.offender().unsafeBytes()).i64(s.amount()).raw(s.evidence().unsafeBytes());
    } else if (p instanceof Payload.Reward r) {
      w.raw(r.to().unsafeBytes()).i64(r.amount());
    } else if (p instanceof Payload.MeterReading m) {
      w.string(m.meterId())
          .i64(m.intervalStart())
          .i32(m.intervalSeconds())
          .i64(m.importedWh())
          .i64(m.exportedWh());
    } else if (p instanceof Payload.DemandResponseSettlement d) {
      writeRequest(w, d.request());
      writeToken(w, d.token());
      w.i64(d.energyWh())
          .i64(d.paymentMicro())
          .raw(d.ev().unsafeBytes())
          .raw(d.tokenSignature().unsafeBytes())
          .raw(d.evCountersignature().unsafeBytes());
    } else if (p instanceof Payload.Rating rt) {
      w.raw(rt.trade().unsafeBytes()).u8(rt.score());
    } else if (p instanceof Payload.Call c) {
      byte[] data = c.unsafeData();
      w.string(c.module()).u16(data.length).raw(data);
    } else {
      throw new IllegalStateException("unhandled payload " + p.getClass());
    }
    return w.toByteArray();
  }

  private static void writeRequest(ByteWriter w, Payload.DemandResponseSettlement.Request r) {
    w.i64(r.evId()).raw(r.wallet().unsafeBytes()).i64(r.credit());
  }

  private static void writeToken(ByteWriter w, Payload.DemandResponseSettlement.Token t) {
    w.i64(t.credit()).i64(t.validUntil()).raw(t.preRecord().unsafeBytes()).i64(t.timestamp());
  }

  static byte[] drTokenMessage(int chainId, Payload.DemandResponseSettlement.Token token) {
    ByteWriter w = new ByteWriter(96);
    w.raw(DR_TOKEN_DOMAIN).i32(chainId);
    writeToken(w, token);
    return w.toByteArray();
  }

  static byte[] drMessage(int chainId, Address sp, Payload.DemandResponseSettlement d) {
    ByteWriter w = new ByteWriter(256);
    w.raw(DR_MESSAGE_DOMAIN).i32(chainId).raw(sp.unsafeBytes());
    writeRequest(w, d.request());
    writeToken(w, d.token());
    w.raw(d.tokenSignature().unsafeBytes()).i64(d.energyWh()).i64(d.paymentMicro());
    return w.toByteArray();
  }

  /** Whether the bytes look like a transaction whose payload tag this version does not know. */
  static boolean hasUnknownPayloadTag(byte[] bytes) {
    if (bytes.length <= PAYLOAD_TAG_OFFSET || (bytes[0] & 0xff) != VERSION) {
      return false;
    }
    int tag = bytes[PAYLOAD_TAG_OFFSET] & 0xff;
    return tag < Payload.Transfer.TAG || tag > Payload.Call.TAG;
  }

  static Transaction decodeTransaction(byte[] buf, int off, int len) throws DecodeException {
    if (len > Transaction.MAX_ENCODED_BYTES) {
      throw new DecodeException(
          "transaction: length %d > %d bytes".formatted(len, Transaction.MAX_ENCODED_BYTES));
    }
    ByteReader r = new ByteReader(buf, off, len);
    TransactionBody body;
    try {
      body = readBody(r);
    } catch (IllegalArgumentException e) {
      throw new DecodeException("transaction: " + e.getMessage());
    }
    int bodyEnd = r.position();
    byte[] sig = r.raw(Signature.LENGTH, "transaction.signature");
    r.expectEnd("transaction");
    byte[] bodyBytes = Arrays.copyOfRange(buf, off, bodyEnd);
    if (!Arrays.equals(bodyBytes, encodeBody(body))) {
      throw new DecodeException("transaction: body is not in canonical form");
    }
    return new Transaction(body, bodyBytes, Signature.wrap(sig));
  }

  private static TransactionBody readBody(ByteReader r) throws DecodeException {
    expectVersion(r, "transaction");
    int chainId = r.i32("transaction.chainId");
    PublicKey sender = PublicKey.wrap(r.raw(PublicKey.LENGTH, "transaction.sender"));
    long nonce = r.i64("transaction.nonce");
    long fee = r.i64("transaction.fee");
    int tag = r.u8("transaction.payload.tag");
    Payload payload =
        switch (tag) {
          case Payload.Transfer.TAG -> new Payload.Transfer(address(r, "to"), r.i64("amount"));
          case Payload.EnergyTrade.TAG ->
              new Payload.EnergyTrade(
                  address(r, "seller"),
                  address(r, "buyer"),
                  r.i64("energyWh"),
                  r.i64("priceMicroPerKWh"),
                  r.string(Payload.EnergyTrade.MAX_MARKET_BYTES, "market"));
          case Payload.Stake.TAG -> new Payload.Stake(r.i64("amount"));
          case Payload.Unstake.TAG -> new Payload.Unstake(r.i64("amount"));
          case Payload.Slash.TAG ->
              new Payload.Slash(address(r, "offender"), r.i64("amount"), hash(r, "evidence"));
          case Payload.Reward.TAG -> new Payload.Reward(address(r, "to"), r.i64("amount"));
          case Payload.MeterReading.TAG ->
              new Payload.MeterReading(
                  r.string(Payload.MeterReading.MAX_METER_ID_BYTES, "meterId"),
                  r.i64("intervalStart"),
                  r.i32("intervalSeconds"),
                  r.i64("importedWh"),
                  r.i64("exportedWh"));
          case Payload.DemandResponseSettlement.TAG ->
              new Payload.DemandResponseSettlement(
                  new Payload.DemandResponseSettlement.Request(
                      r.i64("request.evId"), address(r, "request.wallet"), r.i64("request.credit")),
                  new Payload.DemandResponseSettlement.Token(
                      r.i64("token.credit"),
                      r.i64("token.validUntil"),
                      hash(r, "token.preRecord"),
                      r.i64("token.timestamp")),
                  r.i64("energyWh"),
                  r.i64("paymentMicro"),
                  PublicKey.wrap(r.raw(PublicKey.LENGTH, "ev")),
                  Signature.wrap(r.raw(Signature.LENGTH, "tokenSignature")),
                  Signature.wrap(r.raw(Signature.LENGTH, "evCountersignature")));
          case Payload.Rating.TAG -> new Payload.Rating(hash(r, "trade"), r.u8("score"));
          case Payload.Call.TAG -> callPayload(r);
          default ->
              throw new DecodeException(
                  "transaction.payload.tag %d is unknown (known: %d..%d)"
                      .formatted(tag, Payload.Transfer.TAG, Payload.Call.TAG));
        };
    return new TransactionBody(chainId, sender, nonce, fee, payload);
  }

  private static Payload.Call callPayload(ByteReader r) throws DecodeException {
    String module = r.string(Payload.Call.MAX_MODULE_NAME, "module");
    int n = r.u16("data.length");
    if (n > Payload.Call.MAX_DATA_BYTES) {
      throw new DecodeException(
          "data: length %d > %d bytes".formatted(n, Payload.Call.MAX_DATA_BYTES));
    }
    return new Payload.Call(module, r.raw(n, "data"));
  }

  private static void expectVersion(ByteReader r, String object) throws DecodeException {
    int version = r.u8(object + ".version");
    if (version != VERSION) {
      throw new DecodeException(
          "%s.version %d is unsupported (expected %d)".formatted(object, version, VERSION));
    }
  }

  private static Address address(ByteReader r, String field) throws DecodeException {
    return Address.ofBytes(r.raw(Address.LENGTH, field));
  }

  private static Hash hash(ByteReader r, String field) throws DecodeException {
    return Hash.of(r.raw(Hash.LENGTH, field));
  }

  // ---- blocks ----

  static byte[] encodeHeader(BlockHeader h, boolean withSeal) {
    byte[] seal = withSeal ? h.seal() : new byte[0];
    ByteWriter w = new ByteWriter(180 + seal.length);
    writeHeader(w, h, seal);
    return w.toByteArray();
  }

  private static void writeHeader(ByteWriter w, BlockHeader h, byte[] seal) {
    w.u8(VERSION)
        .i64(h.height())
        .raw(h.previousHash().unsafeBytes())
        .raw(h.transactionsRoot().unsafeBytes())
        .i32(h.transactionCount())
        .raw(h.stateRoot().unsafeBytes())
        .i64(h.timestamp())
        .raw(h.proposer().unsafeBytes())
        .u16(seal.length)
        .raw(seal);
  }

  static byte[] encodeBlock(Block b) {
    int size = 200 + b.header().seal().length;
    for (Transaction t : b.transactions()) {
      size += 2 + t.encodedLength();
    }
    ByteWriter w = new ByteWriter(size);
    writeHeader(w, b.header(), b.header().seal());
    w.i32(b.transactions().size());
    for (Transaction t : b.transactions()) {
      w.u16(t.encodedLength()).raw(t.unsafeEncoded());
    }
    return w.toByteArray();
  }

  static Block decodeBlock(byte[] bytes) throws DecodeException {
    if (bytes.length > Block.MAX_ENCODED_BYTES) {
      throw new DecodeException(
          "block: length %d > %d bytes".formatted(bytes.length, Block.MAX_ENCODED_BYTES));
    }
    ByteReader r = new ByteReader(bytes);
    BlockHeader header = readHeader(r);
    int count = r.i32("block.transactionCount");
    if (count != header.transactionCount()) {
      throw new DecodeException(
          "block.transactionCount %d != header.transactionCount %d"
              .formatted(count, header.transactionCount()));
    }
    // Every transaction takes at least its 2-byte length prefix and 1 byte: bound the list first.
    if ((long) count * 3 > r.remaining()) {
      throw new DecodeException(
          "block.transactionCount %d cannot fit in %d remaining bytes"
              .formatted(count, r.remaining()));
    }
    List<Transaction> txs = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int len = r.u16("block.transactions[" + i + "].length");
      int start = r.position();
      r.skip(len, "block.transactions[" + i + "]");
      try {
        txs.add(decodeTransaction(r.array(), start, len));
      } catch (DecodeException e) {
        throw new DecodeException("block.transactions[" + i + "]: " + e.getMessage());
      }
    }
    r.expectEnd("block");
    return new Block(header, txs);
  }

  static BlockHeader decodeHeader(byte[] bytes) throws DecodeException {
    if (bytes.length > BlockHeader.MAX_ENCODED_BYTES) {
      throw new DecodeException(
          "header: length %d > %d bytes".formatted(bytes.length, BlockHeader.MAX_ENCODED_BYTES));
    }
    ByteReader r = new ByteReader(bytes);
    BlockHeader header = readHeader(r);
    r.expectEnd("header");
    return header;
  }

  private static BlockHeader readHeader(ByteReader r) throws DecodeException {
    expectVersion(r, "header");
    long height = r.i64("header.height");
    Hash prev = hash(r, "header.previousHash");
    Hash txRoot = hash(r, "header.transactionsRoot");
    int txCount = r.i32("header.transactionCount");
    Hash stateRoot = hash(r, "header.stateRoot");
    long timestamp = r.i64("header.timestamp");
    Address proposer = address(r, "header.proposer");
    int sealLength = r.u16("header.seal.length");
    if (sealLength > BlockHeader.MAX_SEAL_BYTES) {
      throw new DecodeException(
          "header.seal: length %d > %d bytes".formatted(sealLength, BlockHeader.MAX_SEAL_BYTES));
    }
    byte[] seal = r.raw(sealLength, "header.seal");
    try {
      return new BlockHeader(height, prev, txRoot, txCount, stateRoot, timestamp, proposer, seal);
    } catch (IllegalArgumentException e) {
      throw new DecodeException("header: " + e.getMessage());
    }
  }
}
