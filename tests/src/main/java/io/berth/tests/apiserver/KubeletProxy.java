package io.berth.tests.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The API server's pod subresources that reach into the node: {@code pods/log}, {@code pods/exec},
 * {@code pods/attach} and {@code pods/portforward} are proxied to the kubelet of the pod's node
 * over TLS with the API server's kubelet client certificate, as kube-apiserver does with {@code
 * --kubelet-client-certificate}. The request is rewritten to the kubelet's path ({@code
 * /containerLogs}, {@code /exec}, ...), then bytes are piped both ways, so log follows and
 * SPDY/WebSocket upgrades pass through unchanged.
 *
 * <p>The byte pipe is this double's own, not berth's {@code UpgradeRelay}: a fault in berth's proxy
 * must not hide behind the same fault in the test's.
 *
 * <p>Deviations: kubelets are registered by the test ({@link #register}) instead of read from the
 * Node's addresses, and the kubelet's serving certificate is not verified (kube-apiserver's default
 * without {@code --kubelet-certificate-authority}).
 */
public final class KubeletProxy {
  private static final Pattern SUBRESOURCE =
      Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/]+)/(log|exec|attach|portforward)");
  private static final Set<String> NOT_FORWARDED =
      Set.of("host", "authorization", "content-length", "accept-encoding");

  private final Map<String, InetSocketAddress> kubelets = new ConcurrentHashMap<>();
  private volatile SslContext clientTls;

  /** Requests for pods on {@code node} go to {@code kubelet}. */
  public KubeletProxy register(String node, InetSocketAddress kubelet) {
    kubelets.put(node, kubelet);
    return this;
  }

  /** The client certificate and PKCS#8 key the API server presents to kubelets. */
  public KubeletProxy clientCertificate(Path cert, Path key) throws IOException {
    clientTls =
        SslContextBuilder.forClient()
            .keyManager(cert.toFile(), key.toFile())
            .trustManager(InsecureTrustManagerFactory.INSTANCE)
            .build();
    return this;
  }

  /** The kubelet path of a pod subresource request, or null when it is not one. */
  String kubeletPath(FullHttpRequest req, ObjectStore store) {
    QueryStringDecoder qs = new QueryStringDecoder(req.uri());
    Matcher m = SUBRESOURCE.matcher(qs.path());
    if (!m.matches()) {
      return null;
    }
    String ns = m.group(1);
    String pod = m.group(2);
    JsonNode obj = store.get(ApiResources.PODS, ns, pod);
    String container = first(qs.parameters(), "container");
    if (container == null) {
      container = obj.path("spec").path("containers").path(0).path("name").asText("");
    }
    StringBuilder q = new StringBuilder();
    for (Map.Entry<String, List<String>> e : qs.parameters().entrySet()) {
      if (e.getKey().equals("container")) {
        continue;
      }
      for (String v : e.getValue()) {
        String value = v;
        if (Set.of("stdin", "stdout", "stderr", "tty").contains(e.getKey())) {
          if (!v.equals("true") && !v.equals("1")) {
            continue;
          }
          value = "1";
        }
        q.append(q.isEmpty() ? "?" : "&")
            .append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8))
            .append('=')
            .append(URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20"));
      }
    }
    String base =
        switch (m.group(3)) {
          case "log" -> "/containerLogs/" + ns + "/" + pod + "/" + container;
          case "exec" -> "/exec/" + ns + "/" + pod + "/" + container;
          case "attach" -> "/attach/" + ns + "/" + pod + "/" + container;
          default -> "/portForward/" + ns + "/" + pod;
        };
    return base + q;
  }

  /** The kubelet of the node the pod is bound to; null when none is registered. */
  InetSocketAddress kubeletOf(FullHttpRequest req, ObjectStore store) {
    Matcher m = SUBRESOURCE.matcher(new QueryStringDecoder(req.uri()).path());
    if (!m.matches()) {
      return null;
    }
    String node =
        store
            .get(ApiResources.PODS, m.group(1), m.group(2))
            .path("spec")
            .path("nodeName")
            .asText("");
    return kubelets.get(node);
  }

  /**
   * Proxies {@code req} to {@code kubelet} at {@code path}: connects, writes the rewritten request
   * head, turns this connection into a byte pipe. Answers 502 when the kubelet cannot be reached.
   */
  void proxy(
      ChannelHandlerContext ctx, FullHttpRequest req, InetSocketAddress kubelet, String path) {
    SslContext tls = clientTls;
    if (tls == null) {
      throw new IllegalStateException("no kubelet client certificate: call clientCertificate()");
    }
    Channel front = ctx.channel();
    front.config().setAutoRead(false);
    boolean upgrade = req.headers().containsValue("Connection", "upgrade", true);
    byte[] head = head(req, kubelet, path, upgrade);
    new Bootstrap()
        .group(front.eventLoop())
        .channel(NioSocketChannel.class)
        .option(ChannelOption.AUTO_READ, false)
        .handler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                ch.pipeline()
                    .addLast(
                        tls.newHandler(ch.alloc(), kubelet.getHostString(), kubelet.getPort()));
              }
            })
        .connect(kubelet)
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (!f.isSuccess()) {
                    front.close();
                    return;
                  }
                  Channel back = f.channel();
                  back.pipeline().addLast(new Pipe(front));
                  back.writeAndFlush(Unpooled.wrappedBuffer(head));
                  ChannelPipeline p = front.pipeline();
                  p.addLast(new Pipe(back));
                  p.remove(HttpObjectAggregator.class);
                  p.remove(HttpServerCodec.class);
                  p.remove(ctx.handler());
                });
  }

  private static byte[] head(
      FullHttpRequest req, InetSocketAddress kubelet, String path, boolean upgrade) {
    StringBuilder h = new StringBuilder();
    h.append(req.method().name()).append(' ').append(path).append(" HTTP/1.1\r\n");
    h.append("Host: ").append(kubelet.getHostString()).append(':').append(kubelet.getPort());
    h.append("\r\n");
    for (Map.Entry<String, String> e : req.headers()) {
      String name = e.getKey().toLowerCase(Locale.ROOT);
      if (NOT_FORWARDED.contains(name) || (!upgrade && name.equals("connection"))) {
        continue;
      }
      h.append(e.getKey()).append(": ").append(e.getValue()).append("\r\n");
    }
    if (!upgrade) {
      h.append("Connection: close\r\n"); // one response, then the pipe ends
    }
    h.append("\r\n");
    return h.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String first(Map<String, List<String>> q, String name) {
    List<String> v = q.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  /** Copies bytes to {@code peer}, reading the next only once they are written. */
  private static final class Pipe extends ChannelInboundHandlerAdapter {
    private final Channel peer;

    Pipe(Channel peer) {
      this.peer = peer;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      if (ctx.channel().isActive()) {
        ctx.read();
      }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      peer.writeAndFlush(msg)
          .addListener(
              (ChannelFutureListener)
                  f -> {
                    if (f.isSuccess()) {
                      ctx.channel().read();
                    } else {
                      ctx.close();
                    }
                  });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (peer.isActive()) {
        peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
