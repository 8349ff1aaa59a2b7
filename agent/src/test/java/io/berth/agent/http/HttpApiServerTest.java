package io.berth.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** berth's HTTP listener over real loopback sockets. */
class HttpApiServerTest {
  private final CountDownLatch release = new CountDownLatch(1);
  private HttpApiServer server;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeEach
  void start() {
    HttpRoutes routes =
        new HttpRoutes()
            .get("/healthz", r -> HttpReply.text(200, "ok"))
            .get("/echo", r -> HttpReply.text(200, "hello " + r.param("name", "nobody")))
            .get("/metrics", GzipNegotiation.negotiated(r -> HttpReply.text(200, EXPOSITION)))
            .get(
                "/boom",
                r -> {
                  throw new IllegalStateException("secret internal detail");
                })
            .get(
                "/slow",
                r -> {
                  release.await(10, TimeUnit.SECONDS);
                  return HttpReply.text(200, "slow done");
                });
    HttpLimits limits = new HttpLimits(4096, 8192, 1024, Duration.ofMillis(300));
    server = HttpApiServer.start(new InetSocketAddress("127.0.0.1", 0), routes, limits);
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.close();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort() + path))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void routesAnswerWithTheirReplyAndQueryParameters() throws Exception {
    var ok = get("/healthz");
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("ok");
    assertThat(ok.headers().firstValue("content-type")).contains(HttpReply.TEXT);
    assertThat(get("/echo?name=berth").body()).isEqualTo("hello berth");
  }

  @Test
  void unknownPathsOtherMethodsAndFailuresGetTheirStatusAndNothingInternal() throws Exception {
    assertThat(get("/nope").statusCode()).isEqualTo(404);
    var post =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.address().getPort() + "/healthz"))
                .POST(HttpRequest.BodyPublishers.ofString("x"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    var boom = get("/boom");
    assertThat(boom.statusCode()).isEqualTo(500);
    assertThat(boom.body()).isEqualTo("internal error\n").doesNotContain("secret");
  }

  @Test
  void oversizedHeadersAndBodiesAreRefused() throws Exception {
    String huge = "x".repeat(10_000);
    String headerReply = raw("GET /healthz HTTP/1.1\r\nHost: a\r\nX-Big: " + huge + "\r\n\r\n");
    assertThat(headerReply).startsWith("HTTP/1.1 431");

    String bodyReply =
        raw("POST /healthz HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\n\r\n" + "y".repeat(5000));
    assertThat(bodyReply).startsWith("HTTP/1.1 413");

    String garbage = raw("\u0001\u0002 nonsense\r\n\r\n");
    assertThat(garbage).startsWith("HTTP/1.1 400");
    assertThat(get("/healthz").statusCode()).isEqualTo(200); // still serving
  }

  @Test
  void silentConnectionsAreClosedAfterTheIdleTimeout() throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.address().getPort())) {
      s.setSoTimeout(5_000);
      long start = System.nanoTime();
      assertThat(s.getInputStream().read()).isEqualTo(-1); // closed by the server
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }
  }

  @Test
  void aBlockingHandlerDoesNotHoldUpOtherRequests() throws Exception {
    var slow =
        http.sendAsync(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.address().getPort() + "/slow"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(get("/healthz").statusCode()).isEqualTo(200);
    assertThat(slow).isNotDone();
    release.countDown();
    assertThat(slow.get(5, TimeUnit.SECONDS).body()).isEqualTo("slow done");
  }

  private static final String EXPOSITION =
      "# HELP up_total Scrapes.\n# TYPE up_total counter\n"
          + "up_total{instance=\"a\"} 1\n".repeat(500);

  private HttpResponse<byte[]> metrics(String acceptEncoding) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.address().getPort() + "/metrics"))
            .timeout(Duration.ofSeconds(5));
    if (acceptEncoding != null) {
      b.header("Accept-Encoding", acceptEncoding);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void aMetricsRouteIsGzippedOnlyForClientsThatAcceptGzip() throws Exception {
    var gzipped = metrics("gzip"); // what Prometheus sends
    assertThat(gzipped.statusCode()).isEqualTo(200);
    assertThat(gzipped.headers().firstValue("content-encoding")).contains("gzip");
    assertThat(gzipped.headers().firstValue("vary")).contains("Accept-Encoding");
    assertThat(gzipped.headers().firstValue("content-type")).contains(HttpReply.TEXT);
    assertThat(gzipped.body().length).isLessThan(EXPOSITION.length() / 10);
    String unzipped;
    try (var in = new java.util.zip.GZIPInputStream(new ByteArrayInputStream(gzipped.body()))) {
      unzipped = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(unzipped).isEqualTo(EXPOSITION);

    for (String identity : new String[] {null, "identity", "gzip;q=0, identity", "br"}) {
      var plain = metrics(identity);
      assertThat(plain.headers().firstValue("content-encoding")).as(identity).isEmpty();
      assertThat(plain.headers().firstValue("vary")).as(identity).contains("Accept-Encoding");
      assertThat(new String(plain.body(), StandardCharsets.UTF_8)).as(identity).isEqualTo(unzipped);
    }
    var healthz = get("/healthz");
    assertThat(healthz.headers().firstValue("vary"))
        .as("a route that does not negotiate")
        .isEmpty();
  }

  private String raw(String request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", server.address().getPort())) {
      s.setSoTimeout(5_000);
      OutputStream out = s.getOutputStream();
      try {
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
      } catch (IOException closedEarly) {
        // the server may answer and close before reading everything; read what it said
      }
      InputStream in = s.getInputStream();
      return new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
    }
  }
}
