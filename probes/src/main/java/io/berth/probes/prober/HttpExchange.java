package io.berth.probes.prober;

import io.berth.probes.ProbeHandler;
import io.berth.probes.ProbeResult;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP probe: a request, the redirects it follows, one deadline. Confined to one event loop
 * (every hop's channel and the deadline timer are on it), so its state needs no locks.
 */
final class HttpExchange {
  private static final String CLIENT_TIMEOUT = " (Client.Timeout exceeded while awaiting headers)";

  private final ProbeTransport transport;
  private final SslContext tls;
  private final String userAgent;
  private final URI original;
  private final List<ProbeHandler.HttpHeader> headers;
  private final Duration timeout;
  private final EventLoop loop;
  private final CompletableFuture<ProbeResult> result = new CompletableFuture<>();
  private final long deadline;

  private URI current;
  private Optional<String> hostOverride;
  private int redirects;
  private Channel channel;
  private boolean connected;
  private ScheduledFuture<?> timer;

  HttpExchange(
      ProbeTransport transport,
      SslContext tls,
      String userAgent,
      URI url,
      List<ProbeHandler.HttpHeader> headers,
      Duration timeout) {
    this.transport = transport;
    this.tls = tls;
    this.userAgent = userAgent;
    this.original = url;
    this.current = url;
    this.headers = headers;
    this.timeout = timeout;
    this.loop = transport.pickLoop();
    this.deadline = System.nanoTime() + timeout.toNanos();
    this.hostOverride =
        headers.stream()
            .filter(h -> h.name().equalsIgnoreCase("Host"))
            .map(ProbeHandler.HttpHeader::value)
            .reduce((a, b) -> a);
  }

  CompletableFuture<ProbeResult> result() {
    return result;
  }

  void start() {
    ProbeTransport.runOn(
        loop,
        () -> {
          timer = loop.schedule(this::onDeadline, timeout.toNanos(), TimeUnit.NANOSECONDS);
          connect();
        });
  }

  private void connect() {
    connected = false;
    var host = current.getHost();
    if (host.startsWith("[")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = current.getPort() > 0 ? current.getPort() : defaultPort(current.getScheme());
    var finalHost = host;
    transport
        .resolve(host, port, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())), loop)
        .whenComplete(
            (address, error) ->
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
                      var remaining = Duration.ofNanos(deadline - System.nanoTime());
                      var future =
                          transport.connect(
                              loop,
                              address,
                              remaining,
                              ch -> {
                                if ("https".equals(current.getScheme())) {
                                  ch.pipeline()
                                      .addLast(tls.newHandler(ch.alloc(), finalHost, port));
                                }
                                ch.pipeline()
                                    .addLast(new HttpClientCodec())
                                    .addLast(new ResponseReader());
                              });
                      channel = future.channel();
                      future.addListener(
                          (ChannelFutureListener)
                              f -> {
                                if (!f.isSuccess()) {
                                  failDial(f.cause());
                                } else if (result.isDone()) {
                                  f.channel().close();
                                } else {
                                  connected = true;
                                  f.channel().writeAndFlush(request());
                                }
                              });
                    }));
  }

  private DefaultFullHttpRequest request() {
    var target =
        current.getRawPath() == null || current.getRawPath().isEmpty() ? "/" : current.getRawPath();
    if (current.getRawQuery() != null) {
      target += "?" + current.getRawQuery();
    }
    var req =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1, HttpMethod.GET, target, Unpooled.EMPTY_BUFFER);
    var h = req.headers();
    h.set(HttpHeaderNames.HOST, hostOverride.orElse(current.getRawAuthority()));
    boolean userAgentSet = false;
    boolean acceptSet = false;
    for (var header : headers) {
      var name = header.name().toLowerCase(Locale.ROOT);
      switch (name) {
        case "host" -> {}
        case "user-agent" -> {
          userAgentSet = true;
          if (!header.value().isEmpty()) {
            h.add(HttpHeaderNames.USER_AGENT, header.value());
          }
        }
        case "accept" -> {
          acceptSet = true;
          h.add(HttpHeaderNames.ACCEPT, header.value());
        }
        default -> h.add(header.name(), header.value());
      }
    }
    if (!userAgentSet) {
      h.set(HttpHeaderNames.USER_AGENT, userAgent);
    }
    if (!acceptSet) {
      h.set(HttpHeaderNames.ACCEPT, "*/*");
    }
    h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    return req;
  }

  /** Called with the response status, headers and (bounded) body of the current hop. */
  private void onResponse(HttpResponse response, String body) {
    int code = response.status().code();
    var location = response.headers().get(HttpHeaderNames.LOCATION);
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
        finish(code, body); // Not followed: another host. The 3xx ends as a warning.
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
      connect();
      return;
    }
    finish(code, body);
  }

  private void finish(int code, String body) {
    if (code >= 200 && code < 300) {
      complete(ProbeResult.success(body));
    } else if (code >= 300 && code < 400) {
      complete(ProbeResult.warning("Probe terminated redirects, Response body: " + body));
    } else {
      complete(ProbeResult.failure("HTTP probe failed with statuscode: " + code));
    }
  }

  private static boolean isRedirect(int code) {
    return code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
  }

  /**
   * The probe's whole-request deadline, Go's {@code http.Client.Timeout}. The connect timeout ends
   * at the same instant, so which of the two fires first is chance: both give the message Go gives
   * for where the exchange was, a dial or a wait for the answer.
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
      if (channel != null && channel.isOpen()) {
        channel
            .close(); // Not twice: closing a closed channel fails its promise with a new exception.
      }
    }
  }

  /** The dialled address as Go prints it: {@code host:port}, the port filled in from the scheme. */
  private String hostPort() {
    int port = current.getPort() > 0 ? current.getPort() : defaultPort(current.getScheme());
    return current.getHost() + ":" + port;
  }

  private static int defaultPort(String scheme) {
    return "https".equals(scheme) ? 443 : 80;
  }

  /** Reads one response: status, headers and at most {@link HttpProber#MAX_BODY_BYTES} of body. */
  private final class ResponseReader extends SimpleChannelInboundHandler<HttpObject> {
    private HttpResponse response;
    private ByteBuf body;
    private boolean done;

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (done) {
        return;
      }
      if (msg.decoderResult().isFailure()) {
        done(ctx);
        fail(
            "Get \""
                + current
                + "\": malformed HTTP response: "
                + msg.decoderResult().cause().getMessage());
        return;
      }
      if (msg instanceof HttpResponse r) {
        response = r;
        body = ctx.alloc().heapBuffer(256, HttpProber.MAX_BODY_BYTES);
      }
      if (msg instanceof HttpContent c && body != null) {
        var content = c.content();
        int n = Math.min(content.readableBytes(), HttpProber.MAX_BODY_BYTES - body.readableBytes());
        body.writeBytes(content, content.readerIndex(), n);
        boolean full = body.readableBytes() >= HttpProber.MAX_BODY_BYTES;
        if (msg instanceof LastHttpContent || full) {
          var text = body.toString(StandardCharsets.UTF_8);
          var resp = response;
          done(ctx);
          ctx.channel().close();
          onResponse(resp, text);
        }
      }
    }

    private void done(ChannelHandlerContext ctx) {
      done = true;
      if (body != null) {
        body.release();
        body = null;
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (!done) {
        done(ctx);
        fail("Get \"" + current + "\": EOF");
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (!done) {
        done(ctx);
        fail("Get \"" + current + "\": " + cause);
      }
      ctx.close();
    }
  }
}
