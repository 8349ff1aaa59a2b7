package io.berth.probes.prober;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.berth.probes.ProbeHandler;
import io.berth.probes.ProbeHandler.HttpHeader;
import io.berth.probes.ProbeHandler.Scheme;
import io.berth.probes.ProbeResult;
import io.berth.probes.ProbeResult.Outcome;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** HTTP(S) probes against loopback servers, well-behaved and not. */
class HttpProberTest {
  static final Duration TIMEOUT = Duration.ofSeconds(1);
  final NetFixture net = new NetFixture();
  final Map<String, com.sun.net.httpserver.Headers> seen = new ConcurrentHashMap<>();

  @AfterEach
  void close() throws Exception {
    assertThat(net.openChannelsAfterSettling()).isZero();
    net.close();
  }

  private int server(HttpServer server) throws IOException {
    server.createContext("/", this::handle);
    server.start();
    net.register(() -> server.stop(0));
    return server.getAddress().getPort();
  }

  private int httpServer() throws IOException {
    return server(HttpServer.create(new InetSocketAddress(NetFixture.loopback(), 0), 50));
  }

  /** /status/N answers N; /redirect/N/path answers N to path; /echo records the request. */
  private void handle(HttpExchange ex) throws IOException {
    var path = ex.getRequestURI().getPath();
    seen.put(path, ex.getRequestHeaders());
    var parts = path.split("/", 4);
    switch (parts.length > 1 ? parts[1] : "") {
      case "status" -> respond(ex, Integer.parseInt(parts[2]), "status " + parts[2]);
      case "redirect" -> {
        ex.getResponseHeaders().set("Location", "/" + parts[3]);
        respond(ex, Integer.parseInt(parts[2]), "moved");
      }
      case "away" -> {
        ex.getResponseHeaders()
            .set("Location", "http://127.0.0.2:" + ex.getLocalAddress().getPort() + "/status/200");
        respond(ex, 302, "<a href=\"elsewhere\">Found</a>.");
      }
      case "loop" -> {
        ex.getResponseHeaders().set("Location", "/loop");
        respond(ex, 302, "");
      }
      default -> respond(ex, 200, "ok");
    }
  }

  private static void respond(HttpExchange ex, int code, String body) throws IOException {
    var bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(code, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private ProbeResult probe(
      Scheme scheme, int port, String path, List<HttpHeader> headers, Duration timeout) {
    var spec = new ProbeHandler.Http(scheme, Optional.empty(), port, path, headers);
    return net.http.probe(spec, "127.0.0.1", timeout).toCompletableFuture().join();
  }

  private ProbeResult get(int port, String path) {
    return probe(Scheme.HTTP, port, path, List.of(), TIMEOUT);
  }

  @Test
  void okIsSuccessWithTheBody() throws Exception {
    int port = httpServer();
    assertThat(get(port, "/healthz")).isEqualTo(ProbeResult.success("ok"));
    assertThat(get(port, "/status/204").outcome()).isEqualTo(Outcome.SUCCESS);
  }

  @Test
  void hostNamesAreResolvedOffTheEventLoop() throws Exception {
    int port = httpServer();
    var spec = new ProbeHandler.Http(Scheme.HTTP, Optional.of("localhost"), port, "/", List.of());
    assertThat(net.http.probe(spec, "10.255.255.1", TIMEOUT).toCompletableFuture().join())
        .isEqualTo(ProbeResult.success("ok"));
    assertThat(net.tcp.probe("localhost", port, TIMEOUT).toCompletableFuture().join().outcome())
        .isEqualTo(Outcome.SUCCESS);
  }

  @Test
  void errorsAreFailures() throws Exception {
    int port = httpServer();
    assertThat(get(port, "/status/404"))
        .isEqualTo(ProbeResult.failure("HTTP probe failed with statuscode: 404"));
    assertThat(get(port, "/status/500"))
        .isEqualTo(ProbeResult.failure("HTTP probe failed with statuscode: 500"));
  }

  @Test
  void sameHostRedirectChainIsFollowed() throws Exception {
    int port = httpServer();
    var r = get(port, "/redirect/301/redirect/302/redirect/307/status/200");
    assertThat(r).isEqualTo(ProbeResult.success("status 200"));
    assertThat(seen).containsKeys("/redirect/302/redirect/307/status/200", "/status/200");
  }

  @Test
  void redirectToAnotherHostIsNotFollowedAndWarns() throws Exception {
    int port = httpServer();
    var r = get(port, "/away");
    assertThat(r)
        .isEqualTo(
            ProbeResult.warning(
                "Probe terminated redirects, Response body: <a href=\"elsewhere\">Found</a>."));
    assertThat(r.passed()).isTrue();
    assertThat(seen).doesNotContainKey("/status/200");
  }

  @Test
  void tenthRedirectFails() throws Exception {
    int port = httpServer();
    var r = get(port, "/loop");
    assertThat(r.outcome()).isEqualTo(Outcome.FAILURE);
    assertThat(r.message()).endsWith("stopped after 10 redirects");
  }

  @Test
  void headersAndHostOverrideReachTheServer() throws Exception {
    int port = httpServer();
    var r =
        probe(
            Scheme.HTTP,
            port,
            "/echo?x=1",
            List.of(new HttpHeader("X-Probe", "yes"), new HttpHeader("Host", "app.example")),
            TIMEOUT);
    assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
    var h = seen.get("/echo");
    assertThat(h.getFirst("X-Probe")).isEqualTo("yes");
    assertThat(h.getFirst("Host")).isEqualTo("app.example");
    assertThat(h.getFirst("User-Agent")).isEqualTo("kube-probe/1.32");
    assertThat(h.getFirst("Accept")).isEqualTo("*/*");

    probe(
        Scheme.HTTP,
        port,
        "/echo",
        List.of(new HttpHeader("User-Agent", "custom"), new HttpHeader("Accept", "text/plain")),
        TIMEOUT);
    assertThat(seen.get("/echo").getFirst("User-Agent")).isEqualTo("custom");
    assertThat(seen.get("/echo").getFirst("Accept")).isEqualTo("text/plain");
    assertThat(seen.get("/echo").getFirst("Host")).isEqualTo("127.0.0.1:" + port);
  }

  @Test
  void httpsWithASelfSignedCertificateIsNotVerified() throws Exception {
    var ks = KeyStore.getInstance("PKCS12");
    try (var in = getClass().getResourceAsStream("/self-signed.p12")) {
      ks.load(in, "changeit".toCharArray());
    }
    var kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "changeit".toCharArray());
    var ssl = SSLContext.getInstance("TLS");
    ssl.init(kmf.getKeyManagers(), null, null);
    var https = HttpsServer.create(new InetSocketAddress(NetFixture.loopback(), 0), 50);
    https.setHttpsConfigurator(new HttpsConfigurator(ssl));
    int port = server(https);
    // what is checked is the certificate, not the time: a TLS handshake with the JDK's server
    // can take more than the 1 s default on a machine with a load average of 30
    Duration handshake = Duration.ofSeconds(10);
    assertThat(probe(Scheme.HTTPS, port, "/healthz", List.of(), handshake))
        .isEqualTo(ProbeResult.success("ok"));
    assertThat(probe(Scheme.HTTPS, port, "/status/503", List.of(), handshake).outcome())
        .isEqualTo(Outcome.FAILURE);
  }

  @Test
  void serverThatNeverAnswersTimesOut() throws Exception {
    int port = net.rawServer(s -> {});
    assertFailsWithin(port, Duration.ofMillis(300), "context deadline exceeded");
  }

  @Test
  void garbageIsAFailure() throws Exception {
    int port = net.rawServer(s -> write(s, "SSH-2.0-OpenSSH_9.2\r\n\r\nnot http at all\r\n", true));
    var r = get(port, "/");
    assertThat(r.outcome()).isEqualTo(Outcome.FAILURE);
    assertThat(r.message()).contains("127.0.0.1:" + port);
  }

  @Test
  void connectionClosedBeforeAnAnswerIsAFailure() throws Exception {
    int port = net.rawServer(NetFixture::closeNow);
    assertThat(get(port, "/").message()).endsWith(": EOF");
  }

  @Test
  void endlessBodyIsReadOnlyUpTo10KiB() throws Exception {
    var written = new AtomicLong();
    int port = net.rawServer(s -> stream(s, "200 OK", written));
    long t0 = System.nanoTime();
    var r = get(port, "/");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(TIMEOUT);
    assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
    assertThat(r.message()).hasSize(HttpProber.MAX_BODY_BYTES);

    int failing = net.rawServer(s -> stream(s, "500 Internal Server Error", new AtomicLong()));
    assertThat(get(failing, "/"))
        .isEqualTo(ProbeResult.failure("HTTP probe failed with statuscode: 500"));
    Thread.sleep(100);
    long after = written.get();
    Thread.sleep(100);
    assertThat(written.get())
        .isEqualTo(after); // The server's writes stopped: the connection is gone.
  }

  @Test
  void closedPortAndBlackHoleFail() throws Exception {
    int closed;
    try (var s = new java.net.ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    assertThat(get(closed, "/").message())
        .as("Go's client error, as the kubelet's events show it")
        .isEqualTo(
            "Get \"http://127.0.0.1:%d/\": dial tcp 127.0.0.1:%d: connect: connection refused"
                .formatted(closed, closed));
    int hole = net.blackHole();
    assertFailsWithin(
        hole,
        Duration.ofMillis(300),
        "Get \"http://127.0.0.1:%d/\": dial tcp 127.0.0.1:%d: i/o timeout".formatted(hole, hole)
            + " (Client.Timeout exceeded while awaiting headers)");
  }

  @Test
  void manyProbesLeaveNoSocketBehind() throws Exception {
    int port = httpServer();
    get(port, "/");
    long before = NetFixture.openFdsSettledTo(0);
    for (int i = 0; i < 100; i++) {
      assertThat(get(port, "/redirect/302/status/200").outcome()).isEqualTo(Outcome.SUCCESS);
    }
    assertThat(net.openChannelsAfterSettling()).isZero();
    assertThat(NetFixture.openFdsSettledTo(before + 5)).isLessThanOrEqualTo(before + 5);
  }

  private void assertFailsWithin(int port, Duration timeout, String message) {
    long t0 = System.nanoTime();
    var r = probe(Scheme.HTTP, port, "/", List.of(), timeout);
    var took = Duration.ofNanos(System.nanoTime() - t0);
    assertThat(r.outcome()).isEqualTo(Outcome.FAILURE);
    assertThat(r.message()).contains(message);
    assertThat(took).isBetween(timeout.minusMillis(50), timeout.plusMillis(900));
  }

  private static void write(java.net.Socket s, String text, boolean close) {
    try {
      s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      if (close) {
        s.close();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Answers with {@code status} and a body that never ends, until the client goes away. */
  private static void stream(java.net.Socket s, String status, AtomicLong written) {
    var chunk = new byte[64 * 1024];
    java.util.Arrays.fill(chunk, (byte) 'a');
    try (s) {
      s.getOutputStream()
          .write(
              ("HTTP/1.1 " + status + "\r\nContent-Length: 1000000000000\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      while (true) {
        s.getOutputStream().write(chunk);
        written.addAndGet(chunk.length);
      }
    } catch (IOException expected) {
      // The prober closed the connection: that is the point of the test.
    }
  }
}
