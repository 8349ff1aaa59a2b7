package io.berth.agent.server;

import io.berth.agent.http.HttpReply;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's HTTP/1.1 protocol for the node API: enforces the request limits (431 for long
 * heads, 413 for bodies, a deadline for the whole request against slowloris, one request at a time:
 * a request that arrives before the previous answer is written waits for it), hands each complete
 * request to {@link NodeApiRoutes} on a virtual thread, and writes its answer: a whole reply, a
 * streamed body with backpressure, or, for exec/attach/portForward, a byte-level proxy of the
 * upgrade to the runtime's streaming server.
 *
 * <p>The request deadline runs, as Go's {@code ReadHeaderTimeout} does for the kubelet, from the
 * end of the TLS handshake for a connection's first request and from the first byte of each later
 * one; a kept-alive connection may idle between requests for the idle timeout, not the request
 * deadline. {@link #requestStart()} sees those first bytes before the codec parses them.
 *
 * <pre>
 *   client ─TLS─▶ [SslHandler] ─▶ [IdleStateHandler] ─▶ [requestStart] ─▶ [HttpServerCodec] ─▶ [this]
 *   after an upgrade:  [SslHandler] ─▶ [UpgradeRelay] ◀──▶ [UpgradeRelay] ─▶ streaming server
 * </pre>
 *
 * <p>Thread safety: Netty calls it on the channel's event loop; the virtual thread only writes to
 * the channel (thread-safe in Netty) and hands state changes back to the event loop.
 */
final class NodeRequestHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(NodeRequestHandler.class);
  private static final Set<String> NOT_FORWARDED =
      Set.of("host", "authorization", "proxy-authorization", "x-forwarded-for", "content-length");
  private static final int STREAM_BUFFER = 128 * 1024;

  private final NodeApiRoutes routes;
  private final NodeServerLimits limits;
  private final ExecutorService workers;
  private HttpRequest head;
  private long bodyBytes;
  private boolean busy; // a request is being answered, until its last part is written; event loop
  // what arrived of the next request while busy (pipelined, or sent as soon as a sized answer's
  // last byte was there, before its end was written); event loop only
  private final ArrayDeque<Object> held = new ArrayDeque<>();
  private ScheduledFuture<?> deadline; // event loop only
  private final ChannelHandler requestStart = new RequestStart();

  NodeRequestHandler(NodeApiRoutes routes, NodeServerLimits limits, ExecutorService workers) {
    this.routes = routes;
    this.limits = limits;
    this.workers = workers;
  }

  /** The handler to place before the HTTP codec: it starts the deadline of each later request. */
  ChannelHandler requestStart() {
    return requestStart;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    if (ctx.pipeline().get(SslHandler.class) == null) {
      arm(ctx); // plain: the first request's deadline runs from the connection
    }
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    disarm();
    releaseHeld();
    super.channelInactive(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseHeld();
  }

  private void releaseHeld() {
    for (Object m = held.poll(); m != null; m = held.poll()) {
      ReferenceCountUtil.release(m);
    }
  }

  /** The whole next request (head and body) must arrive within the header timeout. */
  private void arm(ChannelHandlerContext ctx) {
    disarm();
    deadline =
        ctx.executor()
            .schedule(
                () -> {
                  log.debug("node API: request from {} too slow", ctx.channel().remoteAddress());
                  ctx.close();
                },
                limits.requestHeaderTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
  }

  private void disarm() {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (busy || !held.isEmpty()) {
      held.add(msg); // answered in turn once this answer is written (see answered)
      ctx.channel().config().setAutoRead(false);
      return;
    }
    read(ctx, msg);
  }

  /** The current answer is written: the requests held meanwhile go on, in order. Event loop. */
  private void answered(ChannelHandlerContext ctx) {
    busy = false;
    while (!busy && !held.isEmpty()) {
      read(ctx, held.poll());
    }
    if (!busy && ctx.channel().isActive()) {
      if (head != null && deadline == null) {
        arm(ctx); // a held request is still arriving
      }
      ctx.channel().config().setAutoRead(true);
    }
  }

  private void read(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof HttpRequest req) {
        if (head != null) {
          ctx.close(); // a new request before the last one's body ended: not HTTP/1.1
          return;
        }
        if (req.decoderResult().isFailure()) {
          boolean tooLong = req.decoderResult().cause() instanceof TooLongFrameException;
          fail(ctx, tooLong ? 431 : 400, tooLong ? "request header too large\n" : "bad request\n");
          return;
        }
        if (HttpUtil.getContentLength(req, -1L) > limits.maxBodyBytes()) {
          fail(ctx, 413, "request body too large\n");
          return;
        }
        head = req;
        bodyBytes = 0;
      }
      if (msg instanceof HttpContent c && head != null) {
        if (c.decoderResult().isFailure()) {
          head = null;
          fail(ctx, 400, "bad request\n");
          return;
        }
        bodyBytes += c.content().readableBytes();
        if (bodyBytes > limits.maxBodyBytes()) {
          head = null;
          fail(ctx, 413, "request body too large\n");
          return;
        }
        if (msg instanceof LastHttpContent) {
          HttpRequest r = head;
          head = null;
          busy = true;
          disarm();
          dispatch(ctx, r);
        }
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void dispatch(ChannelHandlerContext ctx, HttpRequest req) {
    QueryStringDecoder qs;
    String path;
    try {
      qs = new QueryStringDecoder(req.uri(), StandardCharsets.UTF_8);
      path = qs.path();
      qs.parameters();
    } catch (IllegalArgumentException e) {
      fail(ctx, 400, "bad request\n");
      return;
    }
    if (!path.startsWith("/")) {
      fail(ctx, 400, "bad request\n");
      return;
    }
    boolean upgrade = req.headers().containsValue(HttpHeaderNames.CONNECTION, "upgrade", true);
    if (upgrade) {
      ctx.channel().config().setAutoRead(false); // nothing from the client until the proxy stands
    }
    NettyExchange ex = new NettyExchange(ctx, req, path, qs.parameters(), upgrade);
    try {
      workers.execute(
          () -> {
            routes.handle(ex);
            ex.ensureAnswered();
          });
    } catch (RejectedExecutionException shuttingDown) {
      fail(ctx, 503, "shutting down\n");
    }
  }

  private void fail(ChannelHandlerContext ctx, int status, String body) {
    disarm();
    FullHttpResponse r =
        response(status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8), false);
    ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
  }

  private static FullHttpResponse response(
      int status, String contentType, byte[] body, boolean keepAlive) {
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(body));
    headers(r, contentType, keepAlive);
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    return r;
  }

  private static void headers(HttpResponse r, String contentType, boolean keepAlive) {
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    r.headers().set("X-Content-Type-Options", "nosniff");
    r.headers()
        .set(
            HttpHeaderNames.CONNECTION,
            keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof IdleStateEvent) {
      ctx.close();
      return;
    }
    if (event instanceof SslHandshakeCompletionEvent done && done.isSuccess()) {
      arm(ctx); // the first request's deadline runs from the end of the handshake
    }
    super.userEventTriggered(ctx, event);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("node API: closing {}: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }

  /**
   * Sees the decrypted bytes before the codec: the first bytes that arrive between requests start
   * the next request's deadline. Event loop only, like the handler.
   */
  private final class RequestStart extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (deadline == null && !busy && head == null && msg instanceof ByteBuf b && b.isReadable()) {
        arm(ctx);
      }
      ctx.fireChannelRead(msg);
    }
  }

  /** The exchange of one request on this connection. */
  private final class NettyExchange implements Exchange {
    private final ChannelHandlerContext ctx;
    private final HttpRequest req;
    private final String path;
    private final Map<String, List<String>> query;
    private final boolean upgrade;
    private final boolean keepAlive;
    private volatile boolean answered;

    NettyExchange(
        ChannelHandlerContext ctx,
        HttpRequest req,
        String path,
        Map<String, List<String>> query,
        boolean upgrade) {
      this.ctx = ctx;
      this.req = req;
      this.path = path;
      this.query = query;
      this.upgrade = upgrade;
      this.keepAlive = HttpUtil.isKeepAlive(req) && !upgrade;
    }

    @Override
    public String method() {
      return req.method().name();
    }

    @Override
    public String path() {
      return path;
    }

    @Override
    public Map<String, List<String>> query() {
      return query;
    }

    @Override
    public List<X509Certificate> peerCertificates() {
      SslHandler ssl = ctx.pipeline().get(SslHandler.class);
      if (ssl == null) {
        return List.of();
      }
      try {
        List<X509Certificate> chain = new ArrayList<>();
        for (Certificate c : ssl.engine().getSession().getPeerCertificates()) {
          chain.add((X509Certificate) c);
        }
        return chain;
      } catch (SSLPeerUnverifiedException none) {
        return List.of();
      }
    }

    @Override
    public String header(String name) {
      return req.headers().get(name);
    }

    @Override
    public boolean isUpgrade() {
      return upgrade;
    }

    void ensureAnswered() {
      if (!answered) {
        log.warn("node API: no answer for {} {}", method(), path);
        reply(
            500, "text/plain; charset=utf-8", "internal error\n".getBytes(StandardCharsets.UTF_8));
      }
    }

    @Override
    public void reply(HttpReply reply) {
      answered = true;
      boolean head = method().equals("HEAD");
      byte[] body = reply.body();
      FullHttpResponse r =
          response(reply.status(), reply.contentType(), head ? new byte[0] : body, keepAlive);
      if (head) {
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
      }
      reply.coding().addHeaders(r.headers());
      finish(r);
    }

    /** Writes the last part of the answer; the connection then waits for the next request. */
    private void finish(Object last) {
      if (keepAlive) {
        // The client may send its next request as soon as it has the answer, even before this
        // write's end: held until answered runs. Its deadline starts with its first byte.
        ctx.writeAndFlush(last);
        ctx.executor().execute(() -> answered(ctx));
      } else {
        ctx.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public Stream stream(String contentType, long contentLength) {
      answered = true;
      boolean head = method().equals("HEAD");
      HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      headers(r, contentType, keepAlive);
      if (contentLength >= 0) {
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, contentLength);
      } else if (!head) { // a HEAD answer has no body, so no chunks either
        HttpUtil.setTransferEncodingChunked(r, true);
      }
      ctx.writeAndFlush(r);
      return new Stream() {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(STREAM_BUFFER);

        @Override
        public boolean write(byte[] bytes) {
          Channel ch = ctx.channel();
          if (!ch.isActive()) {
            return false;
          }
          if (head) {
            return false;
          }
          buffer.writeBytes(bytes);
          if (bytes.length == 0 || buffer.size() >= STREAM_BUFFER) {
            flush();
          }
          return ch.isActive();
        }

        private void flush() {
          if (buffer.size() == 0) {
            return;
          }
          ByteBuf chunk = Unpooled.wrappedBuffer(buffer.toByteArray());
          buffer.reset();
          ChannelFuture f = ctx.writeAndFlush(new DefaultHttpContent(chunk));
          if (!ctx.channel().isWritable()) {
            f.awaitUninterruptibly(); // backpressure: a slow reader slows this writer
          }
        }

        @Override
        public void end() {
          if (ctx.channel().isActive() && !head) {
            flush();
          }
          finish(LastHttpContent.EMPTY_LAST_CONTENT);
        }
      };
    }

    @Override
    public void upgrade(URI target, Runnable onClose) {
      answered = true;
      Channel front = ctx.channel();
      int port = target.getPort() < 0 ? 80 : target.getPort();
      new Bootstrap()
          .group(front.eventLoop())
          .channel(EpollSocketChannel.class)
          .option(ChannelOption.AUTO_READ, false)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
          .handler(
              new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {}
              })
          .connect(target.getHost(), port)
          .addListener(
              (ChannelFutureListener)
                  f -> {
                    if (!f.isSuccess()) {
                      log.warn(
                          "node API: cannot reach the streaming server {}: {}",
                          target.getHost() + ":" + port,
                          f.cause().toString());
                      onClose.run();
                      fail(ctx, 502, "the container runtime's streaming server is unreachable\n");
                      return;
                    }
                    Channel back = f.channel();
                    front.closeFuture().addListener(x -> onClose.run());
                    back.pipeline().addLast(new UpgradeRelay(front));
                    back.writeAndFlush(Unpooled.wrappedBuffer(requestHead(target, port)));
                    var p = ctx.pipeline();
                    p.addLast(new UpgradeRelay(back));
                    p.remove(IdleStateHandler.class);
                    p.remove(requestStart);
                    p.remove(HttpServerCodec.class);
                    p.remove(NodeRequestHandler.this);
                  });
    }

    /** The client's request head, re-addressed to the streaming server's URL. */
    private byte[] requestHead(URI target, int port) {
      StringBuilder h = new StringBuilder();
      h.append(req.method().name()).append(' ').append(target.getRawPath());
      if (target.getRawQuery() != null) {
        h.append('?').append(target.getRawQuery());
      }
      h.append(" HTTP/1.1\r\nHost: ")
          .append(target.getHost())
          .append(':')
          .append(port)
          .append("\r\n");
      for (Map.Entry<String, String> e : req.headers()) {
        if (!NOT_FORWARDED.contains(e.getKey().toLowerCase(Locale.ROOT))) {
          h.append(e.getKey()).append(": ").append(e.getValue()).append("\r\n");
        }
      }
      h.append("\r\n");
      return h.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
  }
}
