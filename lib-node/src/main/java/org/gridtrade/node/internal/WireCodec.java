package org.gridtrade.node.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.gridtrade.consensus.ConsensusMessage;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.DecodeException;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.PublicKey;
import org.gridtrade.ledger.Transaction;

/**
 * The wire form of consensus messages: one frame per message, {@code version (1) ‖ type (1) ‖
 * fields}, big-endian, byte strings as {@code u32 length ‖ bytes}, every length checked against its
 * bound before anything is allocated, no trailing bytes. A block response larger than a frame is
 * split into several. Gossiped transactions may also travel several to a frame ({@link
 * #encodeTransactions}), which {@link #decodeAll} opens into one message each.
 */
public final class WireCodec {
  private WireCodec() {}

  /** The wire format version. */
  public static final int VERSION = 1;

  /** The largest frame, in bytes: one largest block and its framing. */
  public static final int MAX_FRAME_BYTES = Block.MAX_ENCODED_BYTES + 1024;

  static final int NEW_TRANSACTION = 1;
  static final int NEW_BLOCK = 2;
  static final int STATUS = 3;
  static final int BLOCK_REQUEST = 4;
  static final int BLOCK_RESPONSE = 5;
  static final int EVIDENCE = 6;

  /** The type of a peer-exchange frame, which the transport handles itself. */
  public static final int PEERS = 7;

  /** Most addresses in one peer-exchange frame. */
  public static final int MAX_PEERS = 64;

  /** The type of a frame of several gossiped transactions. */
  public static final int TRANSACTIONS = 8;

  /** Most transactions in one {@linkplain #encodeTransactions transactions frame}. */
  public static final int MAX_BATCH_TRANSACTIONS = 4_096;

  /**
   * Encodes gossiped transactions as one frame: {@code count (u32) ‖ count × (u32 length ‖
   * transaction)}, with 1 to {@link #MAX_BATCH_TRANSACTIONS} transactions of at most {@link
   * Transaction#MAX_ENCODED_BYTES} bytes each (so a frame is far below {@link #MAX_FRAME_BYTES}).
   *
   * @param transactions the transactions' canonical encodings
   * @return the frame's body
   * @throws IllegalArgumentException if there are none, too many, or one is too long
   */
  public static byte[] encodeTransactions(List<byte[]> transactions) {
    if (transactions.isEmpty() || transactions.size() > MAX_BATCH_TRANSACTIONS) {
      throw new IllegalArgumentException(
          "transactions: %d in a frame, not in 1..%d"
              .formatted(transactions.size(), MAX_BATCH_TRANSACTIONS));
    }
    int n = 4;
    for (byte[] t : transactions) {
      if (t.length > Transaction.MAX_ENCODED_BYTES) {
        throw new IllegalArgumentException(
            "transactions: %d bytes > %d".formatted(t.length, Transaction.MAX_ENCODED_BYTES));
      }
      n += 4 + t.length;
    }
    ByteBuffer out = header(TRANSACTIONS, n).putInt(transactions.size());
    for (byte[] t : transactions) {
      out.putInt(t.length).put(t);
    }
    return out.array();
  }

  /**
   * The type of a frame announcing gossip frames by their hashes: a peer that has not seen one asks
   * for it with a {@link #GET} frame. The transport handles both itself.
   */
  public static final int ANNOUNCE = 9;

  /** The type of a frame asking a peer for the gossip frames it announced, by their hashes. */
  public static final int GET = 10;

  /** Most hashes in one {@link #ANNOUNCE} or {@link #GET} frame. */
  public static final int MAX_HASHES = 1_024;

  /**
   * Encodes an announce or get frame: {@code count (u16) ‖ count × hash (32)}.
   *
   * @param type {@link #ANNOUNCE} or {@link #GET}
   * @param hashes 1 to {@link #MAX_HASHES} frame hashes
   * @return the frame's body
   * @throws IllegalArgumentException if the type or the count is out of range
   */
  public static byte[] encodeHashes(int type, List<Hash> hashes) {
    if (type != ANNOUNCE && type != GET) {
      throw new IllegalArgumentException("type %d is neither ANNOUNCE nor GET".formatted(type));
    }
    if (hashes.isEmpty() || hashes.size() > MAX_HASHES) {
      throw new IllegalArgumentException(
          "hashes: %d in a frame, not in 1..%d".formatted(hashes.size(), MAX_HASHES));
    }
    ByteBuffer out = header(type, 2 + hashes.size() * Hash.LENGTH).putShort((short) hashes.size());
    hashes.forEach(h -> out.put(h.bytes()));
    return out.array();
  }

  /**
   * The type of a frame of this version, read from its header: one of the types this codec knows or
   * not; -1 for a frame too short to say or of another version.
   *
   * @param frame the frame's body
   * @return the type, or -1
   */
  public static int typeOf(byte[] frame) {
    return frame.length >= 2 && (frame[0] & 0xff) == VERSION ? frame[1] & 0xff : -1;
  }

  /**
   * Decodes an announce or get frame.
   *
   * @param frame the frame's body
   * @return the hashes, in order
   * @throws DecodeException if it is not exactly one well-formed announce or get frame
   */
  public static List<Hash> decodeHashes(byte[] frame) throws DecodeException {
    int type = typeOf(frame);
    if (type != ANNOUNCE && type != GET) {
      throw new DecodeException("frame: not an announce or get frame of version " + VERSION);
    }
    ByteBuffer in = ByteBuffer.wrap(frame, 2, frame.length - 2);
    need(in, 2, "hashes.count");
    int count = in.getShort() & 0xffff;
    if (count < 1 || count > MAX_HASHES) {
      throw new DecodeException("hashes.count %d not in 1..%d".formatted(count, MAX_HASHES));
    }
    List<Hash> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(Hash.of(raw(in, Hash.LENGTH, "hashes[" + i + "]")));
    }
    if (in.hasRemaining()) {
      throw new DecodeException("frame: %d trailing bytes".formatted(in.remaining()));
    }
    return out;
  }

  /**
   * Decodes one frame into the messages it carries: one, or one {@link
   * ConsensusMessage.NewTransaction} for each transaction of a transactions frame.
   *
   * @param frame the frame's body
   * @return the messages, in order
   * @throws DecodeException if the frame is not exactly one well-formed frame of this version
   */
  public static List<ConsensusMessage> decodeAll(byte[] frame) throws DecodeException {
    if (frame.length < 2 || (frame[0] & 0xff) != VERSION || (frame[1] & 0xff) != TRANSACTIONS) {
      return List.of(decode(frame));
    }
    if (frame.length > MAX_FRAME_BYTES) {
      throw new DecodeException("frame: %d bytes > %d".formatted(frame.length, MAX_FRAME_BYTES));
    }
    ByteBuffer in = ByteBuffer.wrap(frame, 2, frame.length - 2);
    int n = i32(in, "transactions.count");
    if (n < 1 || n > MAX_BATCH_TRANSACTIONS) {
      throw new DecodeException(
          "transactions.count %d not in 1..%d".formatted(n, MAX_BATCH_TRANSACTIONS));
    }
    if ((long) n * 4 > in.remaining()) {
      throw new DecodeException(
          "transactions.count %d cannot fit in %d bytes".formatted(n, in.remaining()));
    }
    List<ConsensusMessage> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(
          new ConsensusMessage.NewTransaction(
              bytes(in, Transaction.MAX_ENCODED_BYTES, "transactions[" + i + "]")));
    }
    if (in.hasRemaining()) {
      throw new DecodeException("frame: %d trailing bytes".formatted(in.remaining()));
    }
    return out;
  }

  /**
   * Encodes a message as one or more frames (a block response is split to fit).
   *
   * @param m the message
   * @return the frames' bodies
   */
  public static List<byte[]> encode(ConsensusMessage m) {
    if (m instanceof ConsensusMessage.BlockResponse r) {
      List<byte[]> frames = new ArrayList<>();
      List<byte[]> batch = new ArrayList<>();
      long size = 2 + 4; // version, type, count
      for (byte[] b : r.encoded()) {
        if (!batch.isEmpty() && size + 4 + b.length > MAX_FRAME_BYTES) {
          frames.add(blockResponse(batch));
          batch = new ArrayList<>();
          size = 2 + 4;
        }
        batch.add(b);
        size += 4 + b.length;
      }
      frames.add(blockResponse(batch));
      return frames;
    }
    ByteBuffer out;
    if (m instanceof ConsensusMessage.NewTransaction t) {
      byte[] e = t.encoded();
      out = header(NEW_TRANSACTION, 4 + e.length).putInt(e.length).put(e);
    } else if (m instanceof ConsensusMessage.NewBlock b) {
      byte[] e = b.encoded();
      out = header(NEW_BLOCK, 4 + e.length).putInt(e.length).put(e);
    } else if (m instanceof ConsensusMessage.Status s) {
      out = header(STATUS, 8 + Hash.LENGTH).putLong(s.height()).put(s.head().bytes());
    } else if (m instanceof ConsensusMessage.BlockRequest q) {
      out = header(BLOCK_REQUEST, 12).putLong(q.fromHeight()).putInt(q.max());
    } else if (m instanceof ConsensusMessage.EvidenceNotice n) {
      byte[] a = n.first();
      byte[] b = n.second();
      out =
          header(EVIDENCE, 8 + a.length + b.length).putInt(a.length).put(a).putInt(b.length).put(b);
    } else {
      throw new IllegalArgumentException("no wire form for " + m.getClass().getSimpleName());
    }
    return List.of(out.array());
  }

  private static byte[] blockResponse(List<byte[]> blocks) {
    int n = 4;
    for (byte[] b : blocks) {
      n += 4 + b.length;
    }
    ByteBuffer out = header(BLOCK_RESPONSE, n).putInt(blocks.size());
    for (byte[] b : blocks) {
      out.putInt(b.length).put(b);
    }
    return out.array();
  }

  private static ByteBuffer header(int type, int bodyLength) {
    return ByteBuffer.allocate(2 + bodyLength).put((byte) VERSION).put((byte) type);
  }

  /**
   * Decodes one frame of one message.
   *
   * @param frame the frame's body
   * @return the message
   * @throws DecodeException if the frame is not exactly one well-formed message of this version (a
   *     transactions frame, which carries several, is opened by {@link #decodeAll})
   */
  public static ConsensusMessage decode(byte[] frame) throws DecodeException {
    if (frame.length > MAX_FRAME_BYTES) {
      throw new DecodeException("frame: %d bytes > %d".formatted(frame.length, MAX_FRAME_BYTES));
    }
    ByteBuffer in = ByteBuffer.wrap(frame);
    int version = u8(in, "frame.version");
    if (version != VERSION) {
      throw new DecodeException(
          "frame.version %d is unsupported (expected %d)".formatted(version, VERSION));
    }
    int type = u8(in, "frame.type");
    ConsensusMessage m;
    try {
      m =
          switch (type) {
            case NEW_TRANSACTION ->
                new ConsensusMessage.NewTransaction(
                    bytes(in, Transaction.MAX_ENCODED_BYTES, "transaction"));
            case NEW_BLOCK ->
                new ConsensusMessage.NewBlock(bytes(in, Block.MAX_ENCODED_BYTES, "block"));
            case STATUS -> {
              long height = i64(in, "status.height");
              yield new ConsensusMessage.Status(
                  height, Hash.of(raw(in, Hash.LENGTH, "status.head")));
            }
            case BLOCK_REQUEST ->
                new ConsensusMessage.BlockRequest(i64(in, "request.from"), i32(in, "request.max"));
            case BLOCK_RESPONSE -> {
              int n = i32(in, "response.count");
              if (n < 0 || (long) n * 4 > in.remaining()) {
                throw new DecodeException(
                    "response.count %d cannot fit in %d bytes".formatted(n, in.remaining()));
              }
              List<byte[]> blocks = new ArrayList<>(n);
              for (int i = 0; i < n; i++) {
                blocks.add(bytes(in, Block.MAX_ENCODED_BYTES, "response.blocks[" + i + "]"));
              }
              yield new ConsensusMessage.BlockResponse(blocks);
            }
            case EVIDENCE ->
                new ConsensusMessage.EvidenceNotice(
                    bytes(in, Block.MAX_ENCODED_BYTES, "evidence.first"),
                    bytes(in, Block.MAX_ENCODED_BYTES, "evidence.second"));
            case TRANSACTIONS ->
                throw new DecodeException(
                    "frame.type %d carries several transactions: decode it with decodeAll"
                        .formatted(type));
            default ->
                throw new DecodeException(
                    "frame.type %d is unknown (known: 1..6, 8)".formatted(type));
          };
    } catch (IllegalArgumentException e) {
      throw new DecodeException("frame: " + e.getMessage());
    }
    if (in.hasRemaining()) {
      throw new DecodeException("frame: %d trailing bytes".formatted(in.remaining()));
    }
    return m;
  }

  private static void need(ByteBuffer in, int n, String field) throws DecodeException {
    if (n < 0 || in.remaining() < n) {
      throw new DecodeException(
          "%s: needs %d bytes, %d remain".formatted(field, n, in.remaining()));
    }
  }

  private static int u8(ByteBuffer in, String field) throws DecodeException {
    need(in, 1, field);
    return in.get() & 0xff;
  }

  private static int i32(ByteBuffer in, String field) throws DecodeException {
    need(in, 4, field);
    return in.getInt();
  }

  private static long i64(ByteBuffer in, String field) throws DecodeException {
    need(in, 8, field);
    return in.getLong();
  }

  private static byte[] raw(ByteBuffer in, int n, String field) throws DecodeException {
    need(in, n, field);
    byte[] b = new byte[n];
    in.get(b);
    return b;
  }

  private static byte[] bytes(ByteBuffer in, int max, String field) throws DecodeException {
    int n = i32(in, field + ".length");
    if (n < 0 || n > max) {
      throw new DecodeException("%s.length %d not in 0..%d".formatted(field, n, max));
    }
    return raw(in, n, field);
  }

  /**
   * Where a node of the network listens, as peer exchange tells it.
   *
   * @param key the node's key
   * @param address an IP address (never a host name, so reading one costs no lookup) and port
   */
  public record PeerAddress(PublicKey key, InetSocketAddress address) {
    /** Checks the fields. */
    public PeerAddress {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(address, "address");
      if (address.getAddress() == null) {
        throw new IllegalArgumentException("peer address %s is not resolved".formatted(address));
      }
    }
  }

  /**
   * Whether a frame of this version carries gossip (a transaction, a block or evidence, flooded to
   * every node), without decoding it.
   *
   * @param frame the frame
   * @return true for a gossip frame
   */
  public static boolean isGossip(byte[] frame) {
    if (frame.length < 2 || (frame[0] & 0xff) != VERSION) {
      return false;
    }
    int type = frame[1] & 0xff;
    return type == NEW_TRANSACTION || type == TRANSACTIONS || type == NEW_BLOCK || type == EVIDENCE;
  }

  /**
   * Whether a frame is a peer-exchange frame of this version (it may still be malformed).
   *
   * @param frame the frame's body
   * @return true if its version and type say so
   */
  public static boolean isPeers(byte[] frame) {
    return frame.length >= 2 && (frame[0] & 0xff) == VERSION && (frame[1] & 0xff) == PEERS;
  }

  /**
   * Encodes a peer-exchange frame: {@code count (u16) ‖ count × (key (32) ‖ ip length (1: 4 or 16)
   * ‖ ip ‖ port (u16))}.
   *
   * @param peers at most {@link #MAX_PEERS} addresses
   * @return the frame's body
   * @throws IllegalArgumentException if there are more
   */
  public static byte[] encodePeers(List<PeerAddress> peers) {
    if (peers.size() > MAX_PEERS) {
      throw new IllegalArgumentException(
          "peers: %d addresses > %d".formatted(peers.size(), MAX_PEERS));
    }
    int n = 2;
    for (PeerAddress p : peers) {
      n += PublicKey.LENGTH + 1 + p.address().getAddress().getAddress().length + 2;
    }
    ByteBuffer out = header(PEERS, n).putShort((short) peers.size());
    for (PeerAddress p : peers) {
      byte[] ip = p.address().getAddress().getAddress();
      out.put(p.key().bytes())
          .put((byte) ip.length)
          .put(ip)
          .putShort((short) p.address().getPort());
    }
    return out.array();
  }

  /**
   * Decodes a peer-exchange frame.
   *
   * @param frame the frame's body
   * @return the addresses
   * @throws DecodeException if it is not exactly one well-formed peer-exchange frame
   */
  public static List<PeerAddress> decodePeers(byte[] frame) throws DecodeException {
    if (!isPeers(frame)) {
      throw new DecodeException("frame: not a peer-exchange frame of version " + VERSION);
    }
    ByteBuffer in = ByteBuffer.wrap(frame, 2, frame.length - 2);
    need(in, 2, "peers.count");
    int count = in.getShort() & 0xffff;
    if (count > MAX_PEERS) {
      throw new DecodeException("peers.count %d > %d".formatted(count, MAX_PEERS));
    }
    List<PeerAddress> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String f = "peers[" + i + "]";
      PublicKey key;
      try {
        key = PublicKey.of(raw(in, PublicKey.LENGTH, f + ".key"));
      } catch (IllegalArgumentException e) {
        throw new DecodeException(f + ".key: " + e.getMessage());
      }
      int ipLength = u8(in, f + ".ip.length");
      if (ipLength != 4 && ipLength != 16) {
        throw new DecodeException("%s.ip.length %d is neither 4 nor 16".formatted(f, ipLength));
      }
      byte[] ip = raw(in, ipLength, f + ".ip");
      need(in, 2, f + ".port");
      int port = in.getShort() & 0xffff;
      if (port == 0) {
        throw new DecodeException(f + ".port 0 is not a port to dial");
      }
      InetAddress address;
      try {
        address = InetAddress.getByAddress(ip);
      } catch (UnknownHostException e) {
        throw new DecodeException(f + ".ip: " + e.getMessage());
      }
      if (address.getAddress().length != ipLength) {
        throw new DecodeException(f + ".ip: an IPv4-mapped address must be sent as 4 bytes");
      }
      out.add(new PeerAddress(key, new InetSocketAddress(address, port)));
    }
    if (in.hasRemaining()) {
      throw new DecodeException("frame: %d trailing bytes".formatted(in.remaining()));
    }
    return out;
  }
}
