package io.berth.tests.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;

/**
 * An in-process Kubernetes API server for tests, on 127.0.0.1 (ephemeral port), plain HTTP or TLS
 * with a self-signed certificate. It serves the resources of {@link ApiResources} from an {@link
 * ObjectStore} with the real API's semantics (see tests/docs/test-apiserver.md), the discovery
 * documents kubectl needs, and {@link Faults} for fault injection.
 *
 * <pre>{@code
 * try (TestApiServer api = TestApiServer.builder().tls(true).start()) {
 *   Path kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"));
 *   // kubectl --kubeconfig <kubeconfig> get pods
 * }
 * }</pre>
 */
public final class TestApiServer implements AutoCloseable {
  /** The bearer token written into kubeconfigs (the server accepts any credentials). */
  public static final String TOKEN = "berth-test-token";

  private final ObjectStore store;
  private final Faults faults = new Faults();
  private final RequestLog requestLog = new RequestLog();
  private final AuthReviews reviews = new AuthReviews();
  private final KubeletProxy kubelets = new KubeletProxy();
  private final Tables tables;
  private final TlsMaterial tls;
  private final SslContext sslContext;
  private final Duration bookmarkInterval;
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private volatile Channel listener;
  private int port;

  /** Options; {@link #start()} binds the server. */
  public static final class Builder {
    private boolean tls;
    private Duration bookmarkInterval = Duration.ofSeconds(1);
    private int historyLimit = 100_000;
    private String serviceCidr = "10.96.0.0/16";
    private Clock clock = Clock.systemUTC();
    private int port;

    public Builder tls(boolean tls) {
      this.tls = tls;
      return this;
    }

    /** How often a watch with allowWatchBookmarks gets a BOOKMARK (real servers: ~1 min). */
    public Builder bookmarkInterval(Duration interval) {
      this.bookmarkInterval = interval;
      return this;
    }

    /** Changes kept for watches; older versions are compacted (410 Gone). */
    public Builder historyLimit(int changes) {
      this.historyLimit = changes;
      return this;
    }

    public Builder serviceCidr(String cidr) {
      this.serviceCidr = cidr;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** A fixed port (default: ephemeral). */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public TestApiServer start() throws IOException {
      try {
        TestApiServer server = new TestApiServer(this);
        server.bind(port);
        return server;
      } catch (GeneralSecurityException e) {
        throw new IOException("cannot set up TLS for the test API server", e);
      }
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A plain-HTTP server with default options. */
  public static TestApiServer start() throws IOException {
    return builder().start();
  }

  private TestApiServer(Builder b) throws IOException, GeneralSecurityException {
    this.store =
        new ObjectStore(
            b.clock, new ResourceStrategies(new ServiceIpAllocator(b.serviceCidr)), b.historyLimit);
    this.tables = new Tables(b.clock);
    this.bookmarkInterval = b.bookmarkInterval;
    this.tls = b.tls ? TlsMaterial.generate() : null;
    this.sslContext = tls == null ? null : SslContextBuilder.forServer(tls.keyManagers()).build();
    seed(b.serviceCidr);
  }

  private void seed(String serviceCidr) {
    for (String ns : new String[] {"default", "kube-system", "kube-public", "kube-node-lease"}) {
      ObjectNode o = Json.object();
      o.putObject("metadata").put("name", ns);
      store.create(ApiResources.NAMESPACES, "", o);
    }
    String[] base = serviceCidr.split("/")[0].split("\\.");
    ObjectNode svc = Json.object();
    svc.putObject("metadata")
        .put("name", "kubernetes")
        .putObject("labels")
        .put("component", "apiserver")
        .put("provider", "kubernetes");
    ObjectNode spec = svc.putObject("spec");
    spec.put("clusterIP", base[0] + "." + base[1] + "." + base[2] + ".1");
    ObjectNode port = spec.putArray("ports").addObject();
    port.put("name", "https");
    port.put("port", 443);
    port.put("targetPort", 6443);
    store.create(ApiResources.SERVICES, "default", svc);
  }

  private void bind(int wanted) throws IOException {
    String address = "127.0.0.1:" + wanted;
    ApiHttpHandler handler =
        new ApiHttpHandler(
            store,
            tables,
            faults,
            requestLog,
            bookmarkInterval.toMillis(),
            address,
            reviews,
            kubelets);
    try {
      listener =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .option(ChannelOption.SO_REUSEADDR, true)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      channels.add(ch);
                      if (sslContext != null) {
                        ch.pipeline().addLast(sslContext.newHandler(ch.alloc()));
                      }
                      ch.pipeline()
                          .addLast(
                              new HttpServerCodec(), new HttpObjectAggregator(16 << 20), handler);
                    }
                  })
              .bind(new InetSocketAddress("127.0.0.1", wanted))
              .sync()
              .channel();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted binding the test API server", e);
    } catch (RuntimeException e) {
      throw new IOException("cannot bind the test API server on 127.0.0.1:" + wanted, e);
    }
    port = ((InetSocketAddress) listener.localAddress()).getPort();
  }

  /** The objects, for tests that set up or check state without HTTP. */
  public ObjectStore store() {
    return store;
  }

  public Faults faults() {
    return faults;
  }

  /** TokenReview and SubjectAccessReview answers (tokens → users, allow rules). */
  public AuthReviews reviews() {
    return reviews;
  }

  /** Where pods/log, pods/exec, pods/attach and pods/portforward are proxied to. */
  public KubeletProxy kubelets() {
    return kubelets;
  }

  public RequestLog requests() {
    return requestLog;
  }

  public int port() {
    return port;
  }

  public boolean tls() {
    return tls != null;
  }

  public URI url() {
    return URI.create((tls != null ? "https" : "http") + "://127.0.0.1:" + port);
  }

  /** The serving certificate in PEM (TLS only). */
  public String certificatePem() {
    if (tls == null) {
      throw new IllegalStateException("the test API server runs without TLS");
    }
    return tls.certificatePem();
  }

  /**
   * Writes a kubeconfig for kubectl and berth: this server (with its certificate as
   * certificate-authority-data under TLS), the bearer token {@link #TOKEN}, namespace default.
   */
  public Path writeKubeconfig(Path file) throws IOException {
    String ca =
        tls == null
            ? ""
            : "    certificate-authority-data: "
                + Base64.getEncoder()
                    .encodeToString(tls.certificatePem().getBytes(StandardCharsets.US_ASCII))
                + "\n";
    String yaml =
        "apiVersion: v1\n"
            + "kind: Config\n"
            + "clusters:\n"
            + "- name: berth-test\n"
            + "  cluster:\n"
            + "    server: "
            + url()
            + "\n"
            + ca
            + "contexts:\n"
            + "- name: berth-test\n"
            + "  context:\n"
            + "    cluster: berth-test\n"
            + "    user: berth-test\n"
            + "    namespace: default\n"
            + "current-context: berth-test\n"
            + "users:\n"
            + "- name: berth-test\n"
            + "  user:\n"
            + "    token: "
            + TOKEN
            + "\n";
    Files.writeString(file, yaml);
    return file;
  }

  /** Stops listening and closes every connection (watches end abruptly); state is kept. */
  public void stop() {
    Channel l = listener;
    if (l != null) {
      l.close().syncUninterruptibly();
      listener = null;
    }
    faults.dropWatches();
    channels.close().syncUninterruptibly();
  }

  /** Listens again on the same port after {@link #stop()}. */
  public void restart() throws IOException {
    if (listener == null) {
      bind(port);
    }
  }

  @Override
  public void close() {
    stop();
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }
}
