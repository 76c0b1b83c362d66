package org.gridtrade.node;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.net.InetSocketAddress;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509TrustManager;
import org.gridtrade.consensus.ConsensusMessage;
import org.gridtrade.consensus.Transport;
import org.gridtrade.ledger.DecodeException;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.PublicKey;
import org.gridtrade.node.internal.WireCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Transport} over TCP: Netty, with mutual TLS 1.3 in which each node is identified by its
 * Ed25519 key ({@link NodeIdentity}). A connection is accepted, in either direction, only when the
 * peer's certificate holds one of the network's keys; the peer's id is its key's address. Messages
 * travel as length-prefixed frames in the {@linkplain WireCodec wire codec}, at most {@link
 * WireCodec#MAX_FRAME_BYTES} each; a peer that sends a frame that does not decode is disconnected,
 * and what a peer sends beyond {@link #MESSAGES_PER_SECOND} messages and {@link #BYTES_PER_SECOND}
 * bytes a second (after a burst) is dropped before it is decoded (a frame of several transactions
 * counts as that many messages). Configured peers are dialled and redialled with exponential
 * backoff (1 s to 30 s).
 *
 * <p><b>Gossip</b>: transactions, blocks and evidence reach every node, whether or not it is
 * connected to their origin. The origin sends a gossip frame to each of its peers; a node that sees
 * a frame first announces its hash to its other peers, and a peer that has not seen it within
 * {@value #ANNOUNCE_WAIT_MILLIS} ms asks for it (then, after {@value #GET_TIMEOUT_MILLIS} ms,
 * another announcer), as Ethereum's transaction announcements work. In a full mesh a frame then
 * crosses each connection about once; frames above {@value #MAX_ANNOUNCED_FRAME_BYTES} bytes are
 * forwarded whole instead. Transactions broadcast within {@value #TRANSACTION_LINGER_MILLIS} ms of
 * each other travel in one frame (up to {@link WireCodec#MAX_BATCH_TRANSACTIONS}), in the order
 * they were broadcast: under load one frame, TLS record and write per peer carries a batch, not one
 * transaction.
 *
 * <p><b>Peer exchange</b>: after each handshake, and every {@value #EXCHANGE_SECONDS} s, a node
 * tells each peer where it listens and where the peers it is connected to listen (IP addresses
 * only, at most {@link WireCodec#MAX_PEERS}). A network member named this way that the node is not
 * connected to is dialled once (again at most every 10 s), so one configured peer is enough to
 * join: the node meets the others through it. Configured peers take precedence: nothing is dialled
 * by exchange until every configured address has answered once, and never a member that has a
 * configured address. A key outside the network is ignored, and a wrong address costs one
 * connection attempt, which the TLS handshake refuses if someone else answers.
 *
 * <p>Thread-safe. Sending never blocks: a message for a peer that is not connected is dropped (the
 * engine recovers lost blocks by status and block requests), and a peer that leaves more than
 * {@link #MAX_PENDING_BYTES} unread is disconnected.
 */
public final class NetworkTransport implements Transport, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NetworkTransport.class);
  private static final long MIN_BACKOFF_MS = 1_000;
  private static final long MAX_BACKOFF_MS = 30_000;

  private final NodeIdentity identity;
  private final Set<PublicKey> network;
  private final EventLoopGroup group;
  private final SslContext serverSsl;
  private final SslContext clientSsl;
  private final Map<String, Channel> peers = new ConcurrentHashMap<>();
  private final Map<InetSocketAddress, Long> backoffs = new ConcurrentHashMap<>();
  private final AtomicLong refusedFrames = new AtomicLong();
  private final AtomicLong failedHandshakes = new AtomicLong();
  private final AtomicLong bytesIn = new AtomicLong();
  private final AtomicLong droppedMessages = new AtomicLong();
  private final AtomicLong relayed = new AtomicLong();
  private final AtomicLong slowPeers = new AtomicLong();
  // Peer exchange: each network member by id; where members listen, as learnt; when each member
  // was last dialled because a peer named it.
  private final Map<String, PublicKey> members = new java.util.TreeMap<>();
  private final Map<String, InetSocketAddress> listening = new ConcurrentHashMap<>();
  private final Map<String, Long> exchangeDialled = new ConcurrentHashMap<>();
  // Each configured peer address, once a handshake has shown whose it is.
  private final Map<InetSocketAddress, String> configuredIds = new ConcurrentHashMap<>();
  private final AtomicLong exchangeDials = new AtomicLong();
  private volatile InetSocketAddress advertised;
  private volatile boolean peerExchange = true;
  private final long maxPendingBytes;
  private final long maxTotalPendingBytes;
  // Bytes handed to every connection and not yet written out, summed over the peers.
  private final AtomicLong totalUnsent = new AtomicLong();
  // Hashes of the gossip frames seen lately (sent, received or relayed), oldest first.
  private final Map<Hash, Boolean> seen =
      java.util.Collections.synchronizedMap(
          new java.util.LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Hash, Boolean> e) {
              return size() > SEEN_FRAMES;
            }
          });
  private final AtomicLong bytesOut = new AtomicLong();
  private volatile Receiver receiver;
  private volatile Channel server;
  private volatile boolean closed;

  private NetworkTransport(
      NodeIdentity identity,
      Set<PublicKey> network,
      int threads,
      long maxPendingBytes,
      long maxTotalPendingBytes) {
    this.identity = identity;
    this.maxPendingBytes = maxPendingBytes;
    this.maxTotalPendingBytes = maxTotalPendingBytes;
    this.network = Set.copyOf(network);
    this.network.forEach(k -> members.put(k.address().toString(), k));
    this.group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
    flusher.scheduleWithFixedDelay(
        () -> {
          try {
            askForMissing();
          } catch (RuntimeException e) {
            LOG.warn("{}: asking peers for announced frames failed", localId(), e);
          }
        },
        ANNOUNCE_WAIT_MILLIS / 2,
        ANNOUNCE_WAIT_MILLIS / 2,
        TimeUnit.MILLISECONDS);
    X509TrustManager trust = new NetworkTrust(this.network);
    try {
      this.serverSsl =
          SslContextBuilder.forServer(identity.privateKey(), identity.certificate())
              .trustManager(trust)
              .clientAuth(ClientAuth.REQUIRE)
              .protocols("TLSv1.3")
              .sslProvider(SslProvider.JDK)
              .build();
      this.clientSsl =
          SslContextBuilder.forClient()
              .keyManager(identity.privateKey(), identity.certificate())
              .trustManager(trust)
              .protocols("TLSv1.3")
              .sslProvider(SslProvider.JDK)
              .endpointIdentificationAlgorithm(null) // peers are known by key, not by host name
              .build();
    } catch (SSLException e) {
      group.shutdownGracefully();
      throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
    }
  }

  /**
   * A transport for a node of a network.
   *
   * @param identity this node's identity
   * @param network the public keys of every node of the network (this one's may be among them);
   *     only these may connect, and only to these does it connect
   * @return the transport, not listening yet ({@link #listen(InetSocketAddress)})
   * @throws IllegalArgumentException if the network is empty
   */
  public static NetworkTransport create(NodeIdentity identity, Set<PublicKey> network) {
    return create(identity, network, MAX_PENDING_BYTES, maxTotalPendingBytes());
  }

  // With a smaller bound on unsent bytes, for tests.
  static NetworkTransport create(
      NodeIdentity identity, Set<PublicKey> network, long maxPendingBytes) {
    return create(identity, network, maxPendingBytes, maxTotalPendingBytes());
  }

  // With smaller bounds on unsent bytes per connection and in all, for tests.
  static NetworkTransport create(
      NodeIdentity identity,
      Set<PublicKey> network,
      long maxPendingBytes,
      long maxTotalPendingBytes) {
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(network, "network");
    if (network.isEmpty()) {
      throw new IllegalArgumentException("network lists no node keys");
    }
    return new NetworkTransport(identity, network, 2, maxPendingBytes, maxTotalPendingBytes);
  }

  /**
   * Bytes all connections together may hold unsent: a quarter of the heap, and at least one largest
   * frame plus its margin, so a sync response still goes out. Without it, a few peers that stop
   * reading could each hold {@link #MAX_PENDING_BYTES} and, together, exhaust a small heap.
   */
  static long maxTotalPendingBytes() {
    return Math.max(2L * WireCodec.MAX_FRAME_BYTES, Runtime.getRuntime().maxMemory() / 4);
  }

  /**
   * Starts accepting connections.
   *
   * @param address where to listen, e.g. {@code 127.0.0.1:0} for an ephemeral port
   * @return the address bound
   * @throws IllegalStateException if already listening or closed, or the address cannot be bound
   */
  public synchronized InetSocketAddress listen(InetSocketAddress address) {
    Objects.requireNonNull(address, "address");
    if (server != null || closed) {
      throw new IllegalStateException(closed ? "transport closed" : "already listening");
    }
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(initializer(serverSsl, null));
    try {
      server = b.bind(address).sync().channel();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while binding " + address, e);
    } catch (RuntimeException e) {
      throw new IllegalStateException("cannot listen on %s: %s".formatted(address, e), e);
    }
    InetSocketAddress bound = (InetSocketAddress) server.localAddress();
    if (!bound.getAddress().isAnyLocalAddress()) {
      advertised = bound; // a wildcard address tells peers nothing they could dial
    }
    try {
      group.scheduleAtFixedRate(
          this::exchangePeers, EXCHANGE_SECONDS, EXCHANGE_SECONDS, TimeUnit.SECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closing
    }
    return bound;
  }

  /**
   * Turns peer exchange on (the default) or off. Off, this node neither tells its peers where nodes
   * listen nor dials what they tell it (like CometBFT's {@code pex = false}): it connects only to
   * the peers it is given, and to those that dial it.
   *
   * @param enabled whether to exchange peers
   */
  public void peerExchange(boolean enabled) {
    this.peerExchange = enabled;
  }

  /**
   * Dials a peer, and redials it whenever the connection drops, until this transport closes.
   *
   * @param peer where the peer listens
   */
  public void connect(InetSocketAddress peer) {
    Objects.requireNonNull(peer, "peer");
    backoffs.put(peer, MIN_BACKOFF_MS);
    dial(peer);
  }

  private void dial(InetSocketAddress peer) {
    if (closed) {
      return;
    }
    Bootstrap b =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
            .handler(initializer(clientSsl, peer));
    b.connect(peer)
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                redial(peer);
              }
            });
  }

  // Dials an address a peer named, once: no redial (a wrong address costs one attempt).
  private void dialOnce(InetSocketAddress at) {
    if (closed) {
      return;
    }
    new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
        .handler(initializer(clientSsl, null))
        .connect(at);
  }

  // Tells every connected peer where this node and the peers it knows of listen.
  private void exchangePeers() {
    for (Channel ch : peers.values()) {
      sendPeers(ch);
    }
  }

  private void sendPeers(Channel ch) {
    if (!peerExchange) {
      return;
    }
    List<WireCodec.PeerAddress> list = new ArrayList<>();
    InetSocketAddress self = advertised;
    if (self != null) {
      list.add(new WireCodec.PeerAddress(identity.publicKey(), self));
    }
    for (String id : new TreeSet<>(peers.keySet())) {
      InetSocketAddress at = listening.get(id);
      if (at != null && !at.isUnresolved() && list.size() < WireCodec.MAX_PEERS) {
        list.add(new WireCodec.PeerAddress(members.get(id), at));
      }
    }
    write(ch, List.of(WireCodec.encodePeers(list)));
  }

  // What a peer said about where nodes listen: its own address is remembered; a member this node
  // is not connected to is dialled once, at most every EXCHANGE_RETRY_NANOS. Configured peers come
  // first: nothing is dialled until every configured address has answered once, and never a
  // member that has a configured address (the operator said how to reach it).
  private void onPeers(String from, List<WireCodec.PeerAddress> list) {
    if (!peerExchange) {
      return;
    }
    long now = System.nanoTime();
    boolean configuredKnown = configuredIds.keySet().containsAll(backoffs.keySet());
    for (WireCodec.PeerAddress p : list) {
      String id = p.key().address().toString();
      if (!network.contains(p.key()) || id.equals(localId())) {
        continue;
      }
      if (id.equals(from)) {
        listening.put(id, p.address());
        continue;
      }
      if (peers.containsKey(id) || !configuredKnown || configuredIds.containsValue(id)) {
        continue;
      }
      Long last = exchangeDialled.get(id);
      if (last != null && now - last < EXCHANGE_RETRY_NANOS) {
        continue;
      }
      exchangeDialled.put(id, now);
      exchangeDials.incrementAndGet();
      LOG.debug("{}: dialling {} at {}, named by {}", localId(), id, p.address(), from);
      dialOnce(p.address());
    }
  }

  // Dials again after the peer's backoff, which doubles up to MAX_BACKOFF_MS until a handshake
  // succeeds.
  private void redial(InetSocketAddress peer) {
    if (closed) {
      return;
    }
    long backoff = backoffs.getOrDefault(peer, MIN_BACKOFF_MS);
    backoffs.put(peer, Math.min(MAX_BACKOFF_MS, backoff * 2));
    try {
      group.schedule(() -> dial(peer), backoff, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closing
    }
  }

  private ChannelInitializer<SocketChannel> initializer(SslContext ssl, InetSocketAddress dialTo) {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(SocketChannel ch) {
        ch.attr(UNSENT).set(new AtomicLong());
        ch.attr(ANSWERED)
            .set(
                java.util.Collections.newSetFromMap(
                    new java.util.LinkedHashMap<>() {
                      @Override
                      protected boolean removeEldestEntry(Map.Entry<Hash, Boolean> e) {
                        return size() > 4_096;
                      }
                    }));
        SslHandler tls = ssl.newHandler(ch.alloc());
        ch.pipeline()
            .addLast(tls)
            .addLast(new LengthFieldBasedFrameDecoder(WireCodec.MAX_FRAME_BYTES, 0, 4, 0, 4))
            .addLast(new LengthFieldPrepender(4))
            .addLast(new Inbound());
        tls.handshakeFuture()
            .addListener(
                f -> {
                  if (!f.isSuccess()) {
                    failedHandshakes.incrementAndGet();
                    LOG.info(
                        "TLS handshake with {} failed: {}",
                        ch.remoteAddress(),
                        f.cause().toString());
                    ch.close();
                    return;
                  }
                  if (dialTo != null) {
                    backoffs.put(dialTo, MIN_BACKOFF_MS);
                  }
                  X509Certificate cert =
                      (X509Certificate) tls.engine().getSession().getPeerCertificates()[0];
                  String id = NodeIdentity.keyOf(cert).address().toString();
                  ch.attr(PEER).set(id);
                  peers.put(id, ch);
                  if (dialTo != null) {
                    configuredIds.put(dialTo, id);
                    InetSocketAddress at = resolvedOrNull(dialTo);
                    if (at != null) {
                      listening.put(id, at);
                    }
                  }
                  sendPeers(ch);
                  LOG.debug("{}: connected to peer {} at {}", localId(), id, ch.remoteAddress());
                });
        ch.closeFuture()
            .addListener(
                f -> {
                  String id = ch.attr(PEER).get();
                  if (id != null) {
                    peers.remove(id, ch);
                  }
                  if (dialTo != null) {
                    redial(dialTo);
                  }
                });
      }
    };
  }

  private static final io.netty.util.AttributeKey<String> PEER =
      io.netty.util.AttributeKey.valueOf("gridtrade.peer");
  // Bytes given to a channel to write and not written yet (or failed).
  private static final io.netty.util.AttributeKey<AtomicLong> UNSENT =
      io.netty.util.AttributeKey.valueOf("gridtrade.unsent");

  // Set when the connection was cut for leaving too much unread.
  private static final io.netty.util.AttributeKey<Boolean> CUT =
      io.netty.util.AttributeKey.valueOf("gridtrade.cut");

  /** How many gossip frames a transport remembers, so that it relays each once. */
  static final int SEEN_FRAMES = 100_000;

  // Whether a message other than a transaction (queued for a shared frame before this is asked)
  // is gossip, flooded to every node, rather than meant for one peer.
  private static boolean isGossip(ConsensusMessage m) {
    return m instanceof ConsensusMessage.NewBlock || m instanceof ConsensusMessage.EvidenceNotice;
  }

  // Marks a frame seen; true if it was new.
  private boolean firstSight(byte[] frame) {
    return firstSight(Hash.sha256(frame));
  }

  private boolean firstSight(Hash frame) {
    if (seen.put(frame, Boolean.TRUE) != null) {
      return false;
    }
    synchronized (wants) {
      wants.remove(frame);
    }
    return true;
  }

  /**
   * Bytes a connection may hold unsent (three largest frames): a peer that reads slower than that
   * is disconnected, so a stopped or hostile reader cannot make this node buffer without bound.
   */
  public static final long MAX_PENDING_BYTES = 3L * WireCodec.MAX_FRAME_BYTES;

  /** How often a node tells its peers where the nodes it knows listen, in seconds. */
  static final long EXCHANGE_SECONDS = 30;

  // A member named by peers is dialled at most this often.
  private static final long EXCHANGE_RETRY_NANOS = TimeUnit.SECONDS.toNanos(10);

  private static InetSocketAddress resolvedOrNull(InetSocketAddress a) {
    InetSocketAddress r =
        a.isUnresolved() ? new InetSocketAddress(a.getHostString(), a.getPort()) : a;
    return r.isUnresolved() ? null : r;
  }

  /** Messages a peer may send per second, on average. */
  public static final int MESSAGES_PER_SECOND = 5_000;

  /** Messages a peer may send in a burst above {@link #MESSAGES_PER_SECOND}. */
  public static final int MESSAGE_BURST = 10_000;

  /** Frame bytes a peer may send per second, on average (two largest blocks). */
  public static final long BYTES_PER_SECOND = 2L * WireCodec.MAX_FRAME_BYTES;

  /**
   * A token bucket per connection: messages and bytes above the rate (after a burst) are dropped
   * before they are decoded; the engine recovers what it needs by asking again.
   */
  private static final class Budget {
    private double messages = MESSAGE_BURST;
    private double bytes = BYTES_PER_SECOND;
    private long last = System.nanoTime();

    boolean take(long count, int frameBytes) {
      long now = System.nanoTime();
      double dt = (now - last) / 1e9;
      last = now;
      messages = Math.min(MESSAGE_BURST, messages + dt * MESSAGES_PER_SECOND);
      bytes = Math.min(BYTES_PER_SECOND, bytes + dt * BYTES_PER_SECOND);
      if (messages < count || bytes < frameBytes) {
        return false;
      }
      messages -= count;
      bytes -= frameBytes;
      return true;
    }
  }

  /** Decodes frames into messages for the receiver; a frame that does not decode ends the peer. */
  private final class Inbound extends SimpleChannelInboundHandler<ByteBuf> {
    private final Budget budget = new Budget();

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
      String id = ctx.channel().attr(PEER).get();
      if (id == null) {
        return; // not through the handshake yet
      }
      int length = frame.readableBytes();
      bytesIn.addAndGet(4L + length);
      // A transactions frame counts as the transactions its header says it carries; what is over
      // the budget is dropped before it is copied or decoded.
      int at = frame.readerIndex();
      long count =
          length >= 6
                  && (frame.getByte(at) & 0xff) == WireCodec.VERSION
                  && (frame.getByte(at + 1) & 0xff) == WireCodec.TRANSACTIONS
              ? Math.max(1, frame.getUnsignedInt(at + 2))
              : 1;
      if (!budget.take(count, length)) {
        droppedMessages.addAndGet(count);
        return;
      }
      byte[] bytes = new byte[length];
      frame.readBytes(bytes);
      if (WireCodec.isPeers(bytes)) {
        try {
          onPeers(id, WireCodec.decodePeers(bytes));
        } catch (DecodeException e) {
          refuse(ctx, id, e);
        }
        return;
      }
      int type = WireCodec.typeOf(bytes);
      if (type == WireCodec.ANNOUNCE || type == WireCodec.GET) {
        List<Hash> hashes;
        try {
          hashes = WireCodec.decodeHashes(bytes);
        } catch (DecodeException e) {
          refuse(ctx, id, e);
          return;
        }
        if (type == WireCodec.ANNOUNCE) {
          onAnnounce(id, hashes);
        } else {
          onGet(ctx.channel(), hashes);
        }
        return;
      }
      // A gossip frame may reach a node from several peers: drop the copies before decoding them
      // (a block frame holds up to a block's worth of transactions).
      boolean gossip = WireCodec.isGossip(bytes);
      Hash hash = gossip ? Hash.sha256(bytes) : null;
      if (gossip && !firstSight(hash)) {
        return; // already delivered and relayed
      }
      List<ConsensusMessage> messages;
      try {
        messages = WireCodec.decodeAll(bytes);
      } catch (DecodeException e) {
        refuse(ctx, id, e);
        return;
      }
      if (gossip) {
        relay(id, hash, bytes);
      }
      Receiver r = receiver;
      if (r != null) {
        for (ConsensusMessage m : messages) {
          r.onMessage(id, m);
        }
      }
    }

    // A frame that does not decode ends its peer's connection.
    private void refuse(ChannelHandlerContext ctx, String id, DecodeException e) {
      refusedFrames.incrementAndGet();
      LOG.info(
          "{}: peer {} sent a malformed frame ({}); disconnected", localId(), id, e.getMessage());
      ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug(
          "{}: connection to {} failed: {}",
          localId(),
          ctx.channel().remoteAddress(),
          cause.toString());
      ctx.close();
    }
  }

  /** Accepts a certificate whose Ed25519 key is one of the network's, self-signed with it. */
  private static final class NetworkTrust implements X509TrustManager {
    private final Set<PublicKey> network;

    NetworkTrust(Set<PublicKey> network) {
      this.network = network;
    }

    private void check(X509Certificate[] chain) throws CertificateException {
      if (chain == null || chain.length == 0) {
        throw new CertificateException("no certificate");
      }
      PublicKey key = NodeIdentity.keyOf(chain[0]);
      if (key == null) {
        throw new CertificateException("the certificate's key is not Ed25519");
      }
      if (!network.contains(key)) {
        throw new CertificateException("node key " + key.address() + " is not in the network");
      }
      try {
        chain[0].verify(chain[0].getPublicKey());
      } catch (java.security.GeneralSecurityException e) {
        throw new CertificateException("the certificate is not self-signed by its key", e);
      }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      check(chain);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  /**
   * A gossip frame seen here first is announced to every other peer by its hash, and sent whole to
   * those that ask for it: in a full mesh each frame then crosses each connection about once, not
   * once from every relaying node. A frame larger than this is forwarded whole.
   */
  static final int MAX_ANNOUNCED_FRAME_BYTES = 8 << 20;

  /** Bytes of recently relayed frames a node keeps to answer requests for them. */
  static final long RECENT_FRAME_BYTES = 32L << 20;

  /**
   * How long a node waits, after a peer announced a frame it has not seen, before asking for it:
   * time for the frame to arrive from its origin, which sends it to every peer it is connected to.
   */
  static final long ANNOUNCE_WAIT_MILLIS = 50;

  /**
   * How long a node waits for a frame it asked for before asking another peer that announced it.
   */
  static final long GET_TIMEOUT_MILLIS = 1_000;

  /** Most frames a node waits for at once; announcements beyond are ignored. */
  static final int MAX_WANTS = 65_536;

  // Frames this node relayed lately, by hash, oldest first, bounded by RECENT_FRAME_BYTES.
  private final Map<Hash, byte[]> recent = new java.util.LinkedHashMap<>();
  private long recentBytes;
  // Frames announced and not seen yet, oldest first: who announced each, and when to ask next.
  private final Map<Hash, Want> wants = new java.util.LinkedHashMap<>();
  private final AtomicLong requested = new AtomicLong();
  private final AtomicLong answered = new AtomicLong();

  private static final class Want {
    final java.util.ArrayDeque<String> announcers = new java.util.ArrayDeque<>(4);
    long due;

    Want(long due) {
      this.due = due;
    }
  }

  // Frames each peer has been sent on request, so a repeated request is not answered again.
  private static final io.netty.util.AttributeKey<Set<Hash>> ANSWERED =
      io.netty.util.AttributeKey.valueOf("gridtrade.answered");

  private void relay(String from, Hash hash, byte[] frame) {
    List<byte[]> out;
    if (frame.length > MAX_ANNOUNCED_FRAME_BYTES) {
      out = List.of(frame);
    } else {
      synchronized (recent) {
        if (recent.put(hash, frame) == null) {
          recentBytes += frame.length;
        }
        var it = recent.values().iterator();
        while (recentBytes > RECENT_FRAME_BYTES && it.hasNext()) {
          recentBytes -= it.next().length;
          it.remove();
        }
      }
      out = List.of(WireCodec.encodeHashes(WireCodec.ANNOUNCE, List.of(hash)));
    }
    for (Map.Entry<String, Channel> p : peers.entrySet()) {
      if (!p.getKey().equals(from)) {
        write(p.getValue(), out);
        relayed.incrementAndGet();
      }
    }
  }

  private void onAnnounce(String peer, List<Hash> hashes) {
    long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ANNOUNCE_WAIT_MILLIS);
    for (Hash h : hashes) {
      if (seen.containsKey(h)) {
        continue;
      }
      synchronized (wants) {
        Want w = wants.get(h);
        if (w == null) {
          if (wants.size() >= MAX_WANTS) {
            continue;
          }
          w = new Want(due);
          wants.put(h, w);
        }
        if (w.announcers.size() < 8 && !w.announcers.contains(peer)) {
          w.announcers.add(peer);
        }
      }
    }
  }

  // Asks the announcers of the frames still missing whose wait is over; on the flusher thread.
  private void askForMissing() {
    long now = System.nanoTime();
    Map<String, List<Hash>> asks = new java.util.TreeMap<>();
    synchronized (wants) {
      var it = wants.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<Hash, Want> e = it.next();
        Want w = e.getValue();
        if (w.due - now > 0) {
          continue;
        }
        String peer = w.announcers.poll();
        if (peer == null) {
          it.remove(); // every announcer was asked: the engine recovers what it needs otherwise
          continue;
        }
        w.due = now + TimeUnit.MILLISECONDS.toNanos(GET_TIMEOUT_MILLIS);
        asks.computeIfAbsent(peer, k -> new ArrayList<>()).add(e.getKey());
      }
    }
    asks.forEach(
        (peer, hashes) -> {
          Channel ch = peers.get(peer);
          if (ch == null) {
            return;
          }
          for (int i = 0; i < hashes.size(); i += WireCodec.MAX_HASHES) {
            List<Hash> part = hashes.subList(i, Math.min(hashes.size(), i + WireCodec.MAX_HASHES));
            write(ch, List.of(WireCodec.encodeHashes(WireCodec.GET, part)));
            requested.addAndGet(part.size());
          }
        });
  }

  private void onGet(Channel ch, List<Hash> hashes) {
    Set<Hash> done = ch.attr(ANSWERED).get();
    List<byte[]> out = new ArrayList<>();
    for (Hash h : hashes) {
      byte[] frame;
      synchronized (recent) {
        frame = recent.get(h);
      }
      if (frame != null && done.add(h)) {
        out.add(frame);
      }
    }
    if (!out.isEmpty()) {
      answered.addAndGet(out.size());
      write(ch, out);
    }
  }

  @Override
  public String localId() {
    return identity.address().toString();
  }

  @Override
  public void broadcast(ConsensusMessage message) {
    Objects.requireNonNull(message, "message");
    if (message instanceof ConsensusMessage.NewTransaction t) {
      queueTransaction(t.encoded());
      return;
    }
    List<byte[]> frames = WireCodec.encode(message);
    if (isGossip(message)) {
      frames.forEach(this::firstSight); // a copy relayed back is not delivered again
    }
    for (Channel ch : peers.values()) {
      write(ch, frames);
    }
  }

  /**
   * How long a broadcast transaction may wait for others to share its frame, in milliseconds: one
   * frame (and one TLS record and write per peer) per batch instead of per transaction.
   */
  static final long TRANSACTION_LINGER_MILLIS = 5;

  /** Frame bytes after which queued transactions are sent at once. */
  static final int TRANSACTION_FRAME_BYTES = 256 * 1024;

  // Broadcast transactions waiting for their frame; guarded by itself, which also keeps the frames
  // in the order their transactions were broadcast.
  private final List<byte[]> queued = new ArrayList<>();
  // Sends what waited out the linger. Not an event loop of the channels: a write from a channel's
  // own loop would go out at once, ahead of the writes other threads queued on that loop before it.
  private final java.util.concurrent.ScheduledExecutorService flusher =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "gridtrade-gossip");
            t.setDaemon(true);
            return t;
          });
  private int queuedBytes;
  private boolean flushScheduled;

  private void queueTransaction(byte[] encoded) {
    if (encoded.length > org.gridtrade.ledger.Transaction.MAX_ENCODED_BYTES) {
      throw new IllegalArgumentException(
          "transaction: %d bytes > %d, the largest a transaction may be"
              .formatted(encoded.length, org.gridtrade.ledger.Transaction.MAX_ENCODED_BYTES));
    }
    synchronized (queued) {
      queued.add(encoded);
      queuedBytes += 4 + encoded.length;
      if (queued.size() >= WireCodec.MAX_BATCH_TRANSACTIONS
          || queuedBytes >= TRANSACTION_FRAME_BYTES) {
        sendQueued();
      } else if (!flushScheduled && !closed) {
        flushScheduled = true;
        try {
          flusher.schedule(this::flushQueued, TRANSACTION_LINGER_MILLIS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
          flushScheduled = false;
        }
      }
    }
  }

  private void flushQueued() {
    synchronized (queued) {
      flushScheduled = false;
      sendQueued();
    }
  }

  // Sends the queued transactions to every peer as one frame; the caller holds the queue's lock.
  private void sendQueued() {
    if (queued.isEmpty()) {
      return;
    }
    byte[] frame = WireCodec.encodeTransactions(queued);
    queued.clear();
    queuedBytes = 0;
    firstSight(frame); // a copy relayed back is not delivered again
    List<byte[]> frames = List.of(frame);
    for (Channel ch : peers.values()) {
      write(ch, frames);
    }
  }

  @Override
  public void send(String peer, ConsensusMessage message) {
    Objects.requireNonNull(peer, "peer");
    Channel ch = peers.get(peer);
    if (ch != null) {
      write(ch, WireCodec.encode(Objects.requireNonNull(message, "message")));
    }
  }

  private void write(Channel ch, List<byte[]> frames) {
    // Bytes handed to the channel and not yet written out: counted here, because a write from
    // outside the channel's event loop reaches Netty's outbound buffer only when the loop runs it,
    // so on a busy node the buffer alone would not see a backlog queued as tasks.
    AtomicLong unsent = ch.attr(UNSENT).get(); // set when the channel was initialised
    if (ch.attr(CUT).get() != null) {
      return; // being closed for its backlog: nothing more for it
    }
    if (unsent.get() > maxPendingBytes) {
      // The peer does not read what it is sent (stopped, or hostile): holding more for it would
      // let it fill this node's memory. It redials and catches up by block requests.
      cutSlow(ch);
      return;
    }
    long size = 0;
    for (byte[] f : frames) {
      size += 4L + f.length;
    }
    if (totalUnsent.get() + size > maxTotalPendingBytes) {
      // All connections together hold too much: the peer furthest behind goes first (the peer
      // this write was for catches up by block requests if it is the one).
      Channel worst = ch;
      long most = unsent.get();
      for (Channel c : peers.values()) {
        long u = c.attr(UNSENT).get().get();
        if (u > most && c.attr(CUT).get() == null) {
          worst = c;
          most = u;
        }
      }
      if (most > 0) {
        cutSlow(worst);
        if (worst == ch) {
          return;
        }
      }
    }
    for (byte[] f : frames) {
      long n = 4L + f.length;
      synchronized (unsent) {
        unsent.addAndGet(n);
        totalUnsent.addAndGet(n);
      }
      ch.write(Unpooled.wrappedBuffer(f))
          .addListener(
              done -> {
                synchronized (unsent) {
                  unsent.addAndGet(-n);
                  if (ch.attr(CUT).get() == null) {
                    totalUnsent.addAndGet(-n);
                  }
                }
              });
      bytesOut.addAndGet(n);
    }
    ch.flush();
  }

  /**
   * Disconnects a peer for its backlog, once: its unsent bytes leave the node's total at once (the
   * close fails and frees them), so the next writes are not held up by a peer already cut.
   */
  private void cutSlow(Channel ch) {
    AtomicLong unsent = ch.attr(UNSENT).get();
    long left;
    synchronized (unsent) {
      if (ch.attr(CUT).setIfAbsent(Boolean.TRUE) != null) {
        return;
      }
      left = unsent.get();
      totalUnsent.addAndGet(-left);
    }
    if (ch.isOpen()) {
      slowPeers.incrementAndGet();
      LOG.info(
          "{}: peer {} left {} bytes unread; disconnected", localId(), ch.attr(PEER).get(), left);
      ch.close();
    }
  }

  /**
   * Bytes handed to every connection and not yet written out.
   *
   * @return the sum over the peers
   */
  long unsentBytes() {
    return totalUnsent.get();
  }

  /**
   * Gossip frames (transactions, blocks, evidence) relayed from one peer to the others: announced
   * by hash, or forwarded whole when larger than an announced frame may be; counted per peer.
   *
   * @return the count
   */
  public long relayedFrames() {
    return relayed.get();
  }

  /**
   * Gossip frames this node asked a peer for, after the peer announced them and they did not arrive
   * otherwise within {@value #ANNOUNCE_WAIT_MILLIS} ms.
   *
   * @return the count
   */
  public long requestedFrames() {
    return requested.get();
  }

  /**
   * Gossip frames this node sent to peers that asked for them.
   *
   * @return the count
   */
  public long answeredRequests() {
    return answered.get();
  }

  /**
   * Messages dropped because their peer sent more than {@link #MESSAGES_PER_SECOND} or {@link
   * #BYTES_PER_SECOND} allow.
   *
   * @return the count
   */
  public long droppedMessages() {
    return droppedMessages.get();
  }

  /**
   * Frame bytes received from peers (after TLS), length prefixes included.
   *
   * @return the count
   */
  public long bytesReceived() {
    return bytesIn.get();
  }

  /**
   * Frame bytes handed to peers' connections (before TLS), length prefixes included.
   *
   * @return the count
   */
  public long bytesSent() {
    return bytesOut.get();
  }

  @Override
  public void listen(Receiver receiver) {
    this.receiver = Objects.requireNonNull(receiver, "receiver");
  }

  /**
   * The peers connected now, by id (their key's address), sorted.
   *
   * @return an immutable sorted set
   */
  public Set<String> connectedPeers() {
    return java.util.Collections.unmodifiableSet(new TreeSet<>(peers.keySet()));
  }

  /**
   * Connections dialled because a peer named a network member's address (peer exchange).
   *
   * @return the count
   */
  public long exchangeDials() {
    return exchangeDials.get();
  }

  /**
   * Connections closed because their peer left more than {@link #MAX_PENDING_BYTES} unread.
   *
   * @return the count
   */
  public long slowPeersDisconnected() {
    return slowPeers.get();
  }

  /**
   * Frames refused because they did not decode (each ended its peer's connection).
   *
   * @return the count
   */
  public long refusedFrames() {
    return refusedFrames.get();
  }

  /**
   * TLS handshakes that failed, in either direction (e.g. a peer whose key is not in the network).
   *
   * @return the count
   */
  public long failedHandshakes() {
    return failedHandshakes.get();
  }

  /** Closes every connection and stops listening and dialling. */
  @Override
  public void close() {
    closed = true;
    Channel s = server;
    if (s != null) {
      s.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    peers.values().forEach(Channel::close);
    flusher.shutdownNow();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
  }
}
