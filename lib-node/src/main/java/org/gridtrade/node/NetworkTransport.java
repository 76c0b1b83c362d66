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
 * bytes a second (after a burst) is dropped before it is decoded. Configured peers are dialled and
 * redialled with exponential backoff (1 s to 30 s).
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
      NodeIdentity identity, Set<PublicKey> network, int threads, long maxPendingBytes) {
    this.identity = identity;
    this.maxPendingBytes = maxPendingBytes;
    this.network = Set.copyOf(network);
    this.network.forEach(k -> members.put(k.address().toString(), k));
    this.group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
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
    return create(identity, network, MAX_PENDING_BYTES);
  }

  // With a smaller bound on unsent bytes, for tests.
  static NetworkTransport create(
      NodeIdentity identity, Set<PublicKey> network, long maxPendingBytes) {
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(network, "network");
    if (network.isEmpty()) {
      throw new IllegalArgumentException("network lists no node keys");
    }
    return new NetworkTransport(identity, network, 2, maxPendingBytes);
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

  /** How many gossip frames a transport remembers, so that it relays each once. */
  static final int SEEN_FRAMES = 100_000;

  // Whether a message is gossip (flooded to every node) rather than meant for one peer.
  private static boolean isGossip(ConsensusMessage m) {
    return m instanceof ConsensusMessage.NewTransaction
        || m instanceof ConsensusMessage.NewBlock
        || m instanceof ConsensusMessage.EvidenceNotice;
  }

  // Marks a frame seen; true if it was new.
  private boolean firstSight(byte[] frame) {
    return seen.put(Hash.sha256(frame), Boolean.TRUE) == null;
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

    boolean take(int frameBytes) {
      long now = System.nanoTime();
      double dt = (now - last) / 1e9;
      last = now;
      messages = Math.min(MESSAGE_BURST, messages + dt * MESSAGES_PER_SECOND);
      bytes = Math.min(BYTES_PER_SECOND, bytes + dt * BYTES_PER_SECOND);
      if (messages < 1 || bytes < frameBytes) {
        return false;
      }
      messages -= 1;
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
      bytesIn.addAndGet(4L + frame.readableBytes());
      if (!budget.take(frame.readableBytes())) {
        droppedMessages.incrementAndGet();
        return;
      }
      byte[] bytes = new byte[frame.readableBytes()];
      frame.readBytes(bytes);
      if (WireCodec.isPeers(bytes)) {
        try {
          onPeers(id, WireCodec.decodePeers(bytes));
        } catch (DecodeException e) {
          refusedFrames.incrementAndGet();
          LOG.info(
              "{}: peer {} sent a malformed frame ({}); disconnected",
              localId(),
              id,
              e.getMessage());
          ctx.close();
        }
        return;
      }
      // A gossip frame reaches a node once from each peer that relays it: drop the copies before
      // decoding them (a block frame holds up to a block's worth of transactions).
      boolean gossip = WireCodec.isGossip(bytes);
      if (gossip && !firstSight(bytes)) {
        return; // already delivered and relayed
      }
      ConsensusMessage m;
      try {
        m = WireCodec.decode(bytes);
      } catch (DecodeException e) {
        refusedFrames.incrementAndGet();
        LOG.info(
            "{}: peer {} sent a malformed frame ({}); disconnected", localId(), id, e.getMessage());
        ctx.close();
        return;
      }
      if (gossip) {
        // Relay to every other peer, so a node need not be connected to every other.
        for (Map.Entry<String, Channel> p : peers.entrySet()) {
          if (!p.getKey().equals(id)) {
            write(p.getValue(), List.of(bytes));
            relayed.incrementAndGet();
          }
        }
      }
      Receiver r = receiver;
      if (r != null) {
        r.onMessage(id, m);
      }
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

  @Override
  public String localId() {
    return identity.address().toString();
  }

  @Override
  public void broadcast(ConsensusMessage message) {
    List<byte[]> frames = WireCodec.encode(Objects.requireNonNull(message, "message"));
    if (isGossip(message)) {
      frames.forEach(this::firstSight); // a copy relayed back is not delivered again
    }
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
    if (unsent.get() > maxPendingBytes) {
      // The peer does not read what it is sent (stopped, or hostile): holding more for it would
      // let it fill this node's memory. It redials and catches up by block requests.
      if (ch.isOpen()) {
        slowPeers.incrementAndGet();
        LOG.info(
            "{}: peer {} left {} bytes unread; disconnected",
            localId(),
            ch.attr(PEER).get(),
            unsent.get());
        ch.close();
      }
      return;
    }
    for (byte[] f : frames) {
      long size = 4L + f.length;
      unsent.addAndGet(size);
      ch.write(Unpooled.wrappedBuffer(f)).addListener(done -> unsent.addAndGet(-size));
      bytesOut.addAndGet(size);
    }
    ch.flush();
  }

  /**
   * Gossip frames (transactions, blocks, evidence) forwarded from one peer to the others.
   *
   * @return the count
   */
  public long relayedFrames() {
    return relayed.get();
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
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
  }
}
