package io.berth.probes.prober;

import io.berth.probes.ProbeHandler;
import io.berth.probes.ProbeResult;
import io.berth.probes.Prober;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.net.ssl.SSLException;

/**
 * {@code httpGet} probes, with the kubelet's semantics:
 *
 * <ul>
 *   <li>GET over HTTP/1.1 with {@code Connection: close}; {@code User-Agent: kube-probe/<version>}
 *       and {@code Accept: *}{@code /*} unless the probe sets them; a {@code Host} header becomes
 *       the request's host;
 *   <li>redirects (301, 302, 303, 307, 308 with a Location) are followed while they stay on the
 *       same host name; the tenth redirect fails the probe; a redirect to another host is not
 *       followed and the probe ends with WARNING "Probe terminated redirects" (counts as success);
 *   <li>200–299 success, 300–399 warning, anything else failure; at most 10 KiB of the body is
 *       read, the rest is dropped with the connection;
 *   <li>HTTPS does not verify the server's certificate;
 *   <li>the timeout bounds the whole exchange, redirects included, and is enforced on the event
 *       loop.
 * </ul>
 */
public final class HttpProber {
  /** The kubelet's {@code maxRespBodyLength}. */
  public static final int MAX_BODY_BYTES = 10 * 1024;

  /** The kubelet's redirect limit. */
  static final int MAX_REDIRECTS = 10;

  private final ProbeTransport transport;
  private final String userAgent;

  /**
   * @param userAgent e.g. {@code kube-probe/1.32}, the Kubernetes version the agent stands for
   */
  public HttpProber(ProbeTransport transport, String userAgent) {
    this.transport = transport;
    this.userAgent = userAgent;
  }

  /**
   * The client TLS context of HTTPS probes (no verification, as the kubelet's), built at the first
   * HTTPS probe and shared by every prober. Built eagerly, one per probe loop, it cost berth 6 MB
   * of resident memory idle and 5 MB at 110 pods (FootprintBench: 90.6 → 84.4 MB and 128.5 → 123.2
   * MB) that a node without HTTPS probes need not pay.
   */
  private static SslContext insecureTls() {
    return InsecureTls.CONTEXT;
  }

  /** Initialization on demand: the JVM builds it once, on first use, thread-safely. */
  private static final class InsecureTls {
    static final SslContext CONTEXT = build();

    private static SslContext build() {
      try {
        return SslContextBuilder.forClient()
            .trustManager(InsecureTrustManagerFactory.INSTANCE)
            .build();
      } catch (SSLException e) {
        throw new IllegalStateException("cannot build the TLS context for HTTPS probes", e);
      }
    }
  }

  /** Probes {@code spec} against {@code defaultHost} (the pod IP) unless the spec names a host. */
  public CompletionStage<ProbeResult> probe(
      ProbeHandler.Http spec, String defaultHost, Duration timeout) {
    return prepare(spec, defaultHost).probe(timeout);
  }

  /**
   * {@code spec} bound to {@code defaultHost}: the URL parsed, the first request encoded and an IP
   * literal's address made once, for a worker that probes it every period.
   */
  public Prober.Prepared prepare(ProbeHandler.Http spec, String defaultHost) {
    var host = spec.host().filter(h -> !h.isEmpty()).orElse(defaultHost);
    URI url;
    try {
      url = url(spec.scheme(), host, spec.port(), spec.path());
    } catch (URISyntaxException | IllegalArgumentException e) {
      return fixed(
          ProbeResult.failure("invalid probe URL for path " + spec.path() + ": " + e.getMessage()));
    }
    var hostOverride = HttpExchange.hostOverride(spec.headers());
    ByteBuf request;
    try {
      request = direct(HttpGetRequest.encode(url, hostOverride, spec.headers(), userAgent));
    } catch (HttpGetRequest.InvalidHeaderException e) {
      return fixed(ProbeResult.failure("Get \"" + url + "\": " + e.getMessage()));
    }
    var address = ProbeTransport.literalAddress(host, spec.port());
    var headers = spec.headers();
    return timeout -> {
      var exchange =
          new HttpExchange(
              transport,
              HttpProber::insecureTls,
              userAgent,
              url,
              headers,
              hostOverride,
              request,
              address,
              timeout);
      exchange.start();
      return exchange.result();
    };
  }

  /**
   * The request in native memory the JDK frees when the worker's binding is gone (not Netty's
   * allocator: berth runs it unpooled, which would allocate and free a direct buffer to copy a heap
   * request into on every write). Written as duplicates, never released.
   */
  private static ByteBuf direct(byte[] bytes) {
    var memory = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(memory));
  }

  private static Prober.Prepared fixed(ProbeResult result) {
    return timeout -> CompletableFuture.completedFuture(result);
  }

  static URI url(ProbeHandler.Scheme scheme, String host, int port, String path)
      throws URISyntaxException {
    var p = path.isEmpty() ? "/" : path.startsWith("/") ? path : "/" + path;
    var s = scheme == ProbeHandler.Scheme.HTTPS ? "https" : "http";
    return new URI(s + "://" + ProbeTransport.hostPort(host, port) + p);
  }
}
