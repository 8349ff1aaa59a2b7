package io.berth.probes.prober;

import io.berth.probes.ProbeHandler;
import io.berth.probes.ProbeResult;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One HTTP probe: a request, the redirects it follows, one deadline. Confined to one event loop
 * (every hop's channel and the deadline timer are on it), so its state needs no locks.
 *
 * <pre>
 *   start ─▶ deadline timer ─▶ hop: channel (+ TLS) ─connect─▶ write the encoded GET
 *            ─▶ HttpResponseParser ─┬─ 3xx to the same host ─▶ next hop
 *                                   └─ otherwise ─▶ result, timer cancelled, channel closed
 * </pre>
 *
 * The exchange is the deadline's task and each {@link Hop} is its channel's only handler and its
 * connect listener, so a plain-HTTP probe allocates a handful of objects besides Netty's channel.
 */
final class HttpExchange implements Runnable {
  private static final String CLIENT_TIMEOUT = " (Client.Timeout exceeded while awaiting headers)";

  private final ProbeTransport transport;
  private final Supplier<SslContext> tls;
  private final String userAgent;
  private final URI original;
  private final List<ProbeHandler.HttpHeader> headers;
  private final Duration timeout;
  private final EventLoop loop;
  private final CompletableFuture<ProbeResult> result = new CompletableFuture<>();
  private final long deadline;

  private URI current;
  private Optional<String> hostOverride;
  private ByteBuf request; // the current hop's request (never released: written as duplicates)
  private InetSocketAddress address; // the first hop's address when known up front
  private int redirects;
  private Connection hop; // the current hop's connection
  private boolean connected;
  private ScheduledFuture<?> timer;

  /**
   * @param request the first hop's encoded request (see {@link HttpProber#prepare}), or null to
   *     encode it here
   * @param address the first hop's address when the host is an IP literal, or null to resolve it
   */
  HttpExchange(
      ProbeTransport transport,
      Supplier<SslContext> tls,
      String userAgent,
      URI url,
      List<ProbeHandler.HttpHeader> headers,
      Optional<String> hostOverride,
      ByteBuf request,
      InetSocketAddress address,
      Duration timeout) {
    this.transport = transport;
    this.tls = tls;
    this.userAgent = userAgent;
    this.original = url;
    this.current = url;
    this.headers = headers;
    this.hostOverride = hostOverride;
    this.request = request;
    this.address = address;
    this.timeout = timeout;
    this.loop = transport.pickLoop();
    this.deadline = System.nanoTime() + timeout.toNanos();
  }

  /** The probe's {@code Host} header, if it has one (the last one wins, as in a Go header map). */
  static Optional<String> hostOverride(List<ProbeHandler.HttpHeader> headers) {
    Optional<String> host = Optional.empty();
    for (var h : headers) {
      if (h.name().equalsIgnoreCase("Host")) {
        host = Optional.of(h.value());
      }
    }
    return host;
  }

  CompletableFuture<ProbeResult> result() {
    return result;
  }

  void start() {
    if (loop.inEventLoop()) {
      begin();
    } else {
      loop.execute(this::begin);
    }
  }

  private void begin() {
    timer = loop.schedule(this, timeout.toNanos(), TimeUnit.NANOSECONDS);
    connect();
  }

  /** The deadline. */
  @Override
  public void run() {
    onDeadline();
  }

  private void connect() {
    connected = false;
    if (request == null) {
      try {
        request =
            Unpooled.wrappedBuffer(
                HttpGetRequest.encode(current, hostOverride, headers, userAgent));
      } catch (HttpGetRequest.InvalidHeaderException e) {
        fail(get() + e.getMessage());
        return;
      }
    }
    if (address != null) {
      dial(address);
      return;
    }
    var host = host();
    transport
        .resolve(host, port(), Duration.ofNanos(Math.max(1, deadline - System.nanoTime())), loop)
        .whenComplete(
            (resolved, error) ->
                ProbeTransport.runOn(
                    loop,
                    () -> {
                      if (result.isDone()) {
                        return;
                      }
                      if (error != null) {
                        failDial(TcpProber.unwrap(error));
                        return;
                      }
                      dial(resolved);
                    }));
  }

  private void dial(InetSocketAddress to) {
    boolean https = "https".equals(current.getScheme());
    if (!https
        && request.hasMemoryAddress()
        && transport.epoll()
        && BareProbeSocket.supports(loop)) {
      var bare = new BareHop();
      hop = bare;
      bare.connection = new EpollHttpConnection(bare, request, transport.openCounter());
      bare.connection.start((IoEventLoop) loop, to);
      return;
    }
    var next = new Hop();
    hop = next;
    // No connect timer of Netty's own: the probe's deadline closes the channel.
    var channel = transport.newChannel(0, true);
    if (https) {
      channel.pipeline().addLast(tls.get().newHandler(channel.alloc(), host(), port()));
    }
    channel.pipeline().addLast(next);
    next.channel = channel;
    transport.connect(loop, channel, to).addListener(next);
  }

  private String host() {
    var host = current.getHost();
    return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
  }

  private int port() {
    return current.getPort() > 0 ? current.getPort() : defaultPort(current.getScheme());
  }

  /** Called with the status, Location and (bounded) body of the current hop's response. */
  private void onResponse(HttpResponseParser.Response response) {
    int code = response.status();
    var location = response.location().orElse(null);
    if (isRedirect(code) && location != null) {
      URI next;
      try {
        next = current.resolve(new URI(location.trim()));
      } catch (java.net.URISyntaxException | IllegalArgumentException e) {
        fail(
            "Get \""
                + current
                + "\": failed to parse Location header \""
                + location
                + "\": "
                + e.getMessage());
        return;
      }
      if (next.getHost() == null || !next.getHost().equalsIgnoreCase(original.getHost())) {
        finish(response); // Not followed: another host. The 3xx ends as a warning.
        return;
      }
      if (++redirects >= HttpProber.MAX_REDIRECTS) {
        fail("Get \"" + next + "\": stopped after " + HttpProber.MAX_REDIRECTS + " redirects");
        return;
      }
      boolean relative = !URI.create(location.trim()).isAbsolute();
      if (!relative) {
        hostOverride = Optional.empty(); // Go keeps a custom Host only through relative redirects.
      }
      current = next;
      request = null;
      address = null;
      connect();
      return;
    }
    finish(response);
  }

  private void finish(HttpResponseParser.Response response) {
    if (response.bodyError().isPresent()) {
      // The kubelet's probe returns an error when the body cannot be read; its worker throws the
      // result away (unknown), whatever the status was.
      complete(
          ProbeResult.unknown(
              "reading the body of Get \"" + current + "\": " + response.bodyError().get()));
      return;
    }
    int code = response.status();
    if (code >= 200 && code < 300) {
      complete(ProbeResult.success(response.body()));
    } else if (code >= 300 && code < 400) {
      complete(
          ProbeResult.warning("Probe terminated redirects, Response body: " + response.body()));
    } else {
      complete(ProbeResult.failure("HTTP probe failed with statuscode: " + code));
    }
  }

  private static boolean isRedirect(int code) {
    return code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
  }

  /**
   * The probe's whole-request deadline, Go's {@code http.Client.Timeout}; it bounds the dial too.
   * Both give the message Go gives for where the exchange was, a dial or a wait for the answer.
   */
  private void onDeadline() {
    if (!connected) {
      fail(get() + "dial tcp " + hostPort() + ": i/o timeout" + CLIENT_TIMEOUT);
    } else {
      fail(get() + "context deadline exceeded" + CLIENT_TIMEOUT);
    }
  }

  /** A failed dial as Go's client reports it: {@code Get "URL": dial tcp HOST:PORT: reason}. */
  private void failDial(Throwable cause) {
    if (cause instanceof io.netty.channel.ConnectTimeoutException) {
      onDeadline();
    } else {
      fail(get() + ProbeTransport.dialError(hostPort(), cause));
    }
  }

  private String get() {
    return "Get \"" + current + "\": ";
  }

  private void fail(String message) {
    complete(ProbeResult.failure(message));
  }

  private void complete(ProbeResult r) {
    if (result.complete(r)) {
      if (timer != null) {
        timer.cancel(false);
      }
      if (hop != null) {
        hop.abandon();
      }
    }
  }

  /** The dialled address as Go prints it: {@code host:port}, the port filled in from the scheme. */
  private String hostPort() {
    return current.getHost() + ":" + port();
  }

  private static int defaultPort(String scheme) {
    return "https".equals(scheme) ? 443 : 80;
  }

  /**
   * One connection of the exchange: its connect listener and its only handler (after TLS, if any),
   * reading one response with an {@link HttpResponseParser}. Events of a hop the exchange has moved
   * past (a redirect) are ignored.
   */
  /** One hop's connection, over a Netty channel or a bare socket. */
  private interface Connection {
    /** Ends the connection at once; it reports nothing more. */
    void abandon();
  }

  /**
   * A plain-HTTP hop as a bare socket on an epoll loop ({@link EpollHttpConnection}); its events
   * end the exchange as {@link Hop}'s do.
   */
  private final class BareHop implements Connection, EpollHttpConnection.Listener {
    private EpollHttpConnection connection;

    private boolean live() {
      return hop == this && !result.isDone();
    }

    @Override
    public void abandon() {
      connection.abandon();
    }

    @Override
    public void connected(EpollHttpConnection c) {
      if (live()) {
        connected = true;
      } else {
        c.abandon();
      }
    }

    @Override
    public void dialFailed(EpollHttpConnection c, Throwable cause) {
      if (live()) {
        failDial(cause);
      }
    }

    @Override
    public void answered(EpollHttpConnection c, HttpResponseParser.Result answer) {
      if (!live()) {
        return;
      }
      switch (answer) {
        case HttpResponseParser.Broken b -> fail(get() + b.reason());
        case HttpResponseParser.Response r -> onResponse(r);
      }
    }

    @Override
    public void failed(EpollHttpConnection c, Throwable cause) {
      if (live()) {
        fail(get() + cause);
      }
    }
  }

  private final class Hop extends ChannelInboundHandlerAdapter
      implements ChannelFutureListener, Connection {
    private final HttpResponseParser parser = new HttpResponseParser();
    private Channel channel;
    private boolean done;

    @Override
    public void abandon() {
      if (channel.isOpen()) {
        channel.close(); // Not twice: closing a closed channel fails its promise anew.
      }
    }

    /** Whether this hop is the exchange's live one (not superseded, not finished). */
    private boolean live() {
      return hop == this && !result.isDone();
    }

    @Override
    public void operationComplete(ChannelFuture f) {
      if (!f.isSuccess()) {
        if (live()) {
          failDial(f.cause());
        }
      } else if (!live()) {
        f.channel().close();
      } else {
        connected = true;
        f.channel().writeAndFlush(request.duplicate());
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof ByteBuf in)) {
        ReferenceCountUtil.release(msg);
        return;
      }
      try {
        if (!done && parser.feed(in)) {
          done = true;
          ctx.close();
          answered();
        }
      } finally {
        in.release();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (!done) {
        done = true;
        parser.endOfInput();
        answered();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (!done) {
        done = true;
        parser.release();
        if (live()) {
          fail(get() + cause);
        }
      }
      ctx.close();
    }

    private void answered() {
      if (!live()) {
        return;
      }
      switch (parser.result()) {
        case HttpResponseParser.Broken b -> fail(get() + b.reason());
        case HttpResponseParser.Response r -> onResponse(r);
      }
    }
  }
}
