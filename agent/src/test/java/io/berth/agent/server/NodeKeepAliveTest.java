package io.berth.agent.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.agent.http.GzipNegotiation;
import io.berth.agent.http.HttpReply;
import io.berth.agent.http.HttpRoutes;
import io.fabric8.kubernetes.api.model.PodList;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One kept-alive TLS connection to the node API, as the API server's proxy keeps them: it may idle
 * between requests longer than the request deadline, answers every request of a long mixed stream
 * (200, 400, 404, HEAD, streamed files) in order, and still cuts a later request that trickles in.
 */
class NodeKeepAliveTest {
  private static final Duration DEADLINE = Duration.ofMillis(300);

  @TempDir Path dir;
  private NodeApiServer server;
  private byte[] bigLog;

  @BeforeEach
  void start() throws IOException {
    Path logs = Files.createDirectories(dir.resolve("logs"));
    Files.writeString(logs.resolve("node.log"), "node log line\n");
    bigLog = new byte[300 * 1024];
    new Random(7).nextBytes(bigLog);
    Files.write(logs.resolve("big.log"), bigLog);
    Clock clock = Clock.systemUTC();
    NodeServerLimits limits =
        new NodeServerLimits(8192, 16 * 1024, 64 * 1024, DEADLINE, Duration.ofMinutes(4), 10, 10);
    NodeApiRoutes routes =
        new NodeApiRoutes(
            new NodeApiRoutes.Parts(
                "node-1",
                new RequestAuthenticator(Optional.empty(), Duration.ofMinutes(2), true, clock),
                NodeAuthorizer.alwaysAllow(),
                new HttpRoutes()
                    .get("/healthz", r -> HttpReply.text(200, "ok"))
                    .get(
                        "/metrics",
                        GzipNegotiation.negotiated(r -> HttpReply.text(200, EXPOSITION))),
                new NodeContainers(PodList::new, () -> null, new ObjectMapper()),
                new ContainerLogWriter(Duration.ofMillis(100)),
                new NodeLogDirectory(logs),
                clock),
            limits.maxStreams());
    var tls =
        NodeTls.serverContext(
            NodeServerSettings.on(new InetSocketAddress("127.0.0.1", 0), dir.resolve("pki")),
            "node-1",
            List.of(),
            Instant.now());
    server = NodeApiServer.start(new InetSocketAddress("127.0.0.1", 0), tls, routes, limits);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void keptAliveConnectionMayIdleLongerThanTheRequestDeadline() throws Exception {
    try (Client c = client()) {
      assertEquals(new Answer(200, "ok"), c.get("GET", "/healthz"));
      Thread.sleep(DEADLINE.multipliedBy(4).toMillis());
      assertEquals(new Answer(200, "ok"), c.get("GET", "/healthz"), "the connection is still open");
    }
  }

  @Test
  void oneConnectionAnswersEveryRequestOfALongMixedStream() throws Exception {
    record Case(String method, String path, Answer expected) {}
    List<Case> cases =
        List.of(
            new Case("GET", "/healthz", new Answer(200, "ok")),
            new Case("GET", "/nothere", new Answer(404, "not found\n")),
            new Case(
                "GET",
                "/containerLogs/default/web/..",
                new Answer(400, "invalid container name\n")),
            new Case(
                "GET", "/containerLogs/default/web/main", new Answer(404, "container not found\n")),
            new Case("GET", "/logs/node.log", new Answer(200, "node log line\n")),
            new Case("GET", "/logs/../../etc/passwd", new Answer(404, "not found\n")),
            new Case("HEAD", "/healthz", new Answer(200, "")),
            new Case(
                "GET",
                "/logs/big.log",
                new Answer(200, new String(bigLog, StandardCharsets.ISO_8859_1))),
            new Case("POST", "/healthz", new Answer(405, "method not allowed\n")));
    Random random = new Random(42);
    try (Client c = client()) {
      Case previous = null;
      for (int i = 0; i < 2_000; i++) {
        Case k = cases.get(random.nextInt(cases.size()));
        String what = "request " + i + ": " + k.method() + " " + k.path() + " after " + previous;
        Answer a;
        try {
          a = c.get(k.method(), k.path());
        } catch (IOException | AssertionError e) {
          throw new AssertionError(what, e);
        }
        assertEquals(k.expected(), a, what);
        previous = k;
        if (random.nextInt(50) == 0) {
          Thread.sleep(DEADLINE.multipliedBy(2).toMillis()); // idle now and then
        }
      }
    }
  }

  private static final String EXPOSITION = "# TYPE a_total counter\na_total 1\n".repeat(300);

  @Test
  void metricsAreGzippedOnAKeptAliveConnectionOnlyWhenAsked() throws Exception {
    try (Client c = client()) {
      for (int i = 0; i < 3; i++) {
        Answer zipped = c.get("GET", "/metrics", "Accept-Encoding: gzip\r\n");
        assertEquals("gzip", c.headers.get("content-encoding"));
        assertEquals("Accept-Encoding", c.headers.get("vary"));
        byte[] body = zipped.body().getBytes(StandardCharsets.ISO_8859_1);
        try (var in = new GZIPInputStream(new java.io.ByteArrayInputStream(body))) {
          assertEquals(EXPOSITION, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        assertEquals(new Answer(200, EXPOSITION), c.get("GET", "/metrics"));
        assertFalse(c.headers.containsKey("content-encoding"), "identity when not asked");
        assertEquals("Accept-Encoding", c.headers.get("vary"));
        assertEquals(new Answer(200, "ok"), c.get("GET", "/healthz"));
        assertFalse(c.headers.containsKey("vary"), "healthz does not negotiate");
      }
    }
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    try (Client c = client()) {
      StringBuilder three = new StringBuilder();
      for (String path : List.of("/logs/big.log", "/nothere", "/healthz")) {
        three.append("GET ").append(path).append(" HTTP/1.1\r\nHost: node-1\r\n\r\n");
      }
      c.out.write(three.toString().getBytes(StandardCharsets.US_ASCII));
      c.out.flush();
      assertEquals(new Answer(200, new String(bigLog, StandardCharsets.ISO_8859_1)), c.read("GET"));
      assertEquals(new Answer(404, "not found\n"), c.read("GET"));
      assertEquals(new Answer(200, "ok"), c.read("GET"));
    }
  }

  @Test
  void laterRequestTrickledInSlowerThanTheDeadlineIsCut() throws Exception {
    try (Client c = client()) {
      assertEquals(new Answer(200, "ok"), c.get("GET", "/healthz"));
      Thread.sleep(DEADLINE.multipliedBy(2).toMillis()); // idling is allowed
      byte[] head =
          "GET /healthz HTTP/1.1\r\nHost: node-1\r\n\r\n".getBytes(StandardCharsets.UTF_8);
      boolean cut = false;
      try {
        for (byte b : head) { // about 2 s for the whole head: well over the 300 ms deadline
          c.out.write(b);
          c.out.flush();
          Thread.sleep(50);
        }
        cut = c.in.read() == -1;
      } catch (SocketException closed) {
        cut = true;
      }
      assertEquals(true, cut, "the trickled request was answered instead of cut");
    }
  }

  /** A client that trusts the server's self-signed certificate. */
  private Client client() throws Exception {
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    try (InputStream in = Files.newInputStream(dir.resolve("pki/kubelet.crt"))) {
      trusted.setCertificateEntry(
          "node", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trusted);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    return new Client(server.address(), ssl);
  }

  record Answer(int status, String body) {}

  /** A bare HTTP/1.1 client on one TLS socket: Content-Length answers and chunked ones. */
  private static final class Client implements AutoCloseable {
    private final SSLSocket socket;
    private final InputStream in;
    private final OutputStream out;

    Client(InetSocketAddress to, SSLContext ssl) throws Exception {
      socket = (SSLSocket) ssl.getSocketFactory().createSocket(to.getAddress(), to.getPort());
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      in = new java.io.BufferedInputStream(socket.getInputStream());
      out = socket.getOutputStream();
    }

    /** The last answer's headers, names in lower case. */
    private final Map<String, String> headers = new HashMap<>();

    Answer get(String method, String path) throws IOException {
      return get(method, path, "");
    }

    /** {@code extraHeaders}: whole header lines, each ending with CRLF. */
    Answer get(String method, String path, String extraHeaders) throws IOException {
      out.write(
          (method
                  + " "
                  + path
                  + " HTTP/1.1\r\nHost: node-1\r\nContent-Length: 0\r\n"
                  + extraHeaders
                  + "\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return read(method);
    }

    Answer read(String method) throws IOException {
      String status = line();
      assertFalse(status.isEmpty(), "the connection closed without an answer");
      int code = Integer.parseInt(status.split(" ")[1]);
      long length = -1;
      boolean chunked = false;
      headers.clear();
      for (String h = line(); !h.isEmpty(); h = line()) {
        String lower = h.toLowerCase(java.util.Locale.ROOT);
        int colon = h.indexOf(':');
        if (colon > 0) {
          headers.put(lower.substring(0, colon), h.substring(colon + 1).trim());
        }
        if (lower.startsWith("content-length:")) {
          length = Long.parseLong(lower.substring(15).trim());
        } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
          chunked = true;
        }
      }
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      if (method.equals("HEAD")) {
        return new Answer(code, "");
      } else if (chunked) {
        for (int size = Integer.parseInt(line().trim(), 16); size > 0; ) {
          body.write(in.readNBytes(size));
          line();
          size = Integer.parseInt(line().trim(), 16);
        }
        line();
      } else {
        body.write(in.readNBytes((int) length));
      }
      return new Answer(code, body.toString(StandardCharsets.ISO_8859_1));
    }

    private String line() throws IOException {
      StringBuilder s = new StringBuilder();
      for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
        if (b != '\r') {
          s.append((char) b);
        }
      }
      return s.toString();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
