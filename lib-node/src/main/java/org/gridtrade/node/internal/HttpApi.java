package org.gridtrade.node.internal;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP/1.1 server on Netty: each request (body at most {@link #MAX_BODY_BYTES}) goes to a
 * {@link Router}, whose answer is sent back with its length; keep-alive is honoured. A router that
 * throws answers 500 with a one-line JSON error.
 */
public final class HttpApi implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);

  /**
   * The largest request body, in bytes: a batch of 2,000 transfers in hex and its JSON wrapper fit
   * (a largest transaction is 2,048 bytes, 4,096 in hex).
   */
  public static final int MAX_BODY_BYTES = 1024 * 1024;

  /**
   * An answer: status, content type and body; or, with a {@code stream}, a stream of server-sent
   * events that stays open until the client goes away.
   */
  public record Response(int status, String contentType, byte[] body, StreamOpener stream) {
    /** A plain answer. */
    public Response(int status, String contentType, byte[] body) {
      this(status, contentType, body, null);
    }

    /** A JSON answer. */
    public static Response json(int status, String json) {
      return new Response(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    /** A stream of server-sent events. */
    public static Response events(StreamOpener opener) {
      return new Response(200, "text/event-stream", new byte[0], opener);
    }
  }

  /** Where the events of one open stream go. Thread-safe. */
  public interface EventSink {
    /**
     * Sends one event.
     *
     * @param event the event's name
     * @param json its data, one line of JSON
     * @return false if the client has gone (the stream is closed)
     */
    boolean send(String event, String json);
  }

  /** Opens a stream of events for a client. */
  @FunctionalInterface
  public interface StreamOpener {
    /**
     * Called once the stream's headers are sent.
     *
     * @param sink where to send events
     * @param closed called once when the client goes away
     */
    void open(EventSink sink, java.util.function.Consumer<Runnable> closed);
  }

  /** Answers requests. */
  @FunctionalInterface
  public interface Router {
    /**
     * Answers one request.
     *
     * @param method the HTTP method
     * @param path the path, without the query
     * @param body the request body (UTF-8), empty if none
     * @return the answer
     */
    Response route(String method, String path, String body);
  }

  private final EventLoopGroup group;
  private final Channel server;

  private HttpApi(EventLoopGroup group, Channel server) {
    this.group = group;
    this.server = server;
  }

  /**
   * Starts serving.
   *
   * @param address where to listen
   * @param router who answers
   * @return the running server
   * @throws IllegalStateException if the address cannot be bound
   */
  public static HttpApi start(InetSocketAddress address, Router router) {
    Objects.requireNonNull(router, "router");
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      Channel ch =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                      c.pipeline()
                          .addLast(new HttpServerCodec())
                          .addLast(new HttpObjectAggregator(MAX_BODY_BYTES))
                          .addLast(new Handler(router));
                    }
                  })
              .bind(address)
              .sync()
              .channel();
      return new HttpApi(group, ch);
    } catch (InterruptedException e) {
      group.shutdownGracefully();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while binding " + address, e);
    } catch (RuntimeException e) {
      group.shutdownGracefully();
      throw new IllegalStateException("cannot serve the API on %s: %s".formatted(address, e), e);
    }
  }

  /**
   * Where the server listens.
   *
   * @return the bound address
   */
  public InetSocketAddress address() {
    return (InetSocketAddress) server.localAddress();
  }

  @Override
  public void close() {
    server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
  }

  private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Router router;

    Handler(Router router) {
      this.router = router;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      Response r;
      if (!req.decoderResult().isSuccess()) {
        r =
            Response.json(
                400, "{\"error\":{\"reason\":\"MALFORMED\",\"detail\":\"bad HTTP request\"}}");
      } else {
        String path = new QueryStringDecoder(req.uri()).path();
        try {
          r =
              router.route(
                  req.method().name(), path, req.content().toString(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
          LOG.warn("API request {} {} failed", req.method(), path, e);
          r =
              Response.json(
                  500, "{\"error\":{\"reason\":\"INTERNAL\",\"detail\":\"internal error\"}}");
        }
      }
      if (r.stream() != null) {
        stream(ctx, r.stream());
        return;
      }
      FullHttpResponse resp =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.valueOf(r.status()),
              Unpooled.wrappedBuffer(r.body()));
      resp.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
      HttpUtil.setContentLength(resp, r.body().length);
      boolean keepAlive = HttpUtil.isKeepAlive(req);
      HttpUtil.setKeepAlive(resp, keepAlive);
      var f = ctx.writeAndFlush(resp);
      if (!keepAlive) {
        f.addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("API connection failed: {}", cause.toString());
      ctx.close();
    }

    private static void stream(ChannelHandlerContext ctx, StreamOpener opener) {
      io.netty.handler.codec.http.HttpResponse head =
          new io.netty.handler.codec.http.DefaultHttpResponse(
              HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
      head.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
      HttpUtil.setTransferEncodingChunked(head, true);
      ctx.writeAndFlush(head);
      Channel ch = ctx.channel();
      EventSink sink =
          (event, json) -> {
            if (!ch.isActive()) {
              return false;
            }
            String text = "event: " + event + "\ndata: " + json + "\n\n";
            ch.writeAndFlush(
                new io.netty.handler.codec.http.DefaultHttpContent(
                    Unpooled.copiedBuffer(text, StandardCharsets.UTF_8)));
            return true;
          };
      opener.open(sink, onClose -> ch.closeFuture().addListener(f -> onClose.run()));
    }
  }
}
