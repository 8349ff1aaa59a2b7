package io.berth.probes.prober;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.probes.ProbeHandler;
import io.berth.probes.ProbeHandler.HttpHeader;
import io.berth.probes.ProbeHandler.Scheme;
import io.berth.probes.ProbeResult;
import io.berth.probes.ProbeResult.Outcome;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * HTTP probes against raw loopback servers that write the answer byte by byte as a test wants it:
 * what berth's own response reader ({@link HttpResponseParser}) and request writer ({@link
 * HttpGetRequest}) must get right on a real socket.
 */
class HttpProberWireTest {
  static final Duration TIMEOUT = Duration.ofSeconds(2);
  final NetFixture net = new NetFixture();

  @AfterEach
  void close() throws Exception {
    assertThat(net.openChannelsAfterSettling()).isZero();
    net.close();
  }

  private ProbeResult get(int port, List<HttpHeader> headers) {
    var spec = new ProbeHandler.Http(Scheme.HTTP, Optional.empty(), port, "/healthz", headers);
    return net.http.probe(spec, "127.0.0.1", TIMEOUT).toCompletableFuture().join();
  }

  private ProbeResult get(int port) {
    return get(port, List.of());
  }

  /** A server that reads the request head, then writes {@code parts} with a pause between them. */
  private int server(boolean closeAfter, String... parts) throws IOException {
    return net.rawServer(
        s -> {
          try {
            readHead(s.getInputStream());
            for (var part : parts) {
              s.getOutputStream().write(part.getBytes(StandardCharsets.ISO_8859_1));
              s.getOutputStream().flush();
              TimeUnit.MILLISECONDS.sleep(30);
            }
            if (closeAfter) {
              s.close();
            }
          } catch (IOException e) {
            // The prober closed first: fine for these tests.
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
  }

  private static String readHead(InputStream in) throws IOException {
    var head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.append((char) b);
    }
    return head.toString();
  }

  @Test
  void statusLineHeadersAndBodySplitOverReads() throws Exception {
    int port = server(false, "HTT", "P/1.1 200 OK\r\nContent-Le", "ngth: 5\r\n", "\r\nhel", "lo");
    assertThat(get(port)).isEqualTo(ProbeResult.success("hello"));
  }

  @Test
  void chunkedBodyEndsAtTheLastChunkWithoutAClose() throws Exception {
    int port =
        server(
            false,
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n",
            "4;ext=1\r\nde",
            "fg\r\n0\r\n\r\n");
    long t0 = System.nanoTime();
    assertThat(get(port)).isEqualTo(ProbeResult.success("abcdefg"));
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(TIMEOUT);
  }

  @Test
  void bodiesLongerThan10KiBAreCut() throws Exception {
    var body = "z".repeat(30_000);
    int fixed = server(true, "HTTP/1.1 200 OK\r\nContent-Length: 30000\r\n\r\n", body);
    assertThat(get(fixed)).isEqualTo(ProbeResult.success(body.substring(0, 10 * 1024)));
    var chunk = Integer.toHexString(6000) + "\r\n" + "c".repeat(6000) + "\r\n";
    int chunked =
        server(true, "HTTP/1.1 302 Found\r\nTransfer-Encoding: chunked\r\n\r\n", chunk, chunk);
    var r = get(chunked);
    assertThat(r.outcome()).isEqualTo(Outcome.WARNING);
    assertThat(r.message())
        .isEqualTo("Probe terminated redirects, Response body: " + "c".repeat(10 * 1024));
  }

  @Test
  void aBodyWithoutLengthEndsWhenTheServerCloses() throws Exception {
    int port = server(true, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall ", "of it");
    assertThat(get(port)).isEqualTo(ProbeResult.success("all of it"));
  }

  @Test
  void garbageFailsWithGoMessage() throws Exception {
    int port = server(true, "SSH-2.0-OpenSSH_9.2\r\n\r\nnot http at all\r\n");
    assertThat(get(port))
        .isEqualTo(
            ProbeResult.failure(
                ("Get \"http://127.0.0.1:%d/healthz\": net/http: HTTP/1.x transport connection"
                        + " broken: malformed HTTP response \"SSH-2.0-OpenSSH_9.2\"")
                    .formatted(port)));
    // A TLS port probed over plain HTTP answers with an alert: the kubelet's well-known message.
    int tls = server(true, "\u0015\u0003\u0001\u0000\u0002\u0002\n");
    assertThat(get(tls).message())
        .endsWith("malformed HTTP response \"\\x15\\x03\\x01\\x00\\x02\\x02\"");
  }

  @Test
  void aBodyCutShortIsAProbeErrorNotAFailure() throws Exception {
    int port = server(true, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this");
    var r = get(port);
    assertThat(r.outcome())
        .as("the kubelet's worker throws such a result away")
        .isEqualTo(Outcome.UNKNOWN);
    assertThat(r.message()).endsWith(": unexpected EOF");
  }

  @Test
  void theRequestIsWhatGoSends() throws Exception {
    var head = new CompletableFuture<String>();
    int port =
        net.rawServer(
            s -> {
              try (s) {
                head.complete(readHead(s.getInputStream()));
                s.getOutputStream()
                    .write(
                        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    assertThat(get(port, List.of(new HttpHeader("X-Probe", "a b"))))
        .isEqualTo(ProbeResult.success(""));
    assertThat(head.get(1, TimeUnit.SECONDS))
        .isEqualTo(
            "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nX-Probe: a b\r\n".formatted(port)
                + "User-Agent: kube-probe/1.32\r\nAccept: */*\r\nConnection: close\r\n\r\n");
  }

  @Test
  void ipv6PodAddressesAreBracketedInTheHostHeader() throws Exception {
    var loopback6 = java.net.InetAddress.getByName("::1");
    java.net.ServerSocket server;
    try {
      server = new java.net.ServerSocket(0, 50, loopback6);
    } catch (IOException e) {
      org.junit.jupiter.api.Assumptions.abort("no IPv6 loopback here: " + e);
      return;
    }
    net.register(server);
    var head = new CompletableFuture<String>();
    Thread.ofVirtual()
        .start(
            () -> {
              try (var s = server.accept()) {
                head.complete(readHead(s.getInputStream()));
                s.getOutputStream()
                    .write(
                        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nv6"
                            .getBytes(StandardCharsets.US_ASCII));
              } catch (IOException e) {
                head.completeExceptionally(e);
              }
            });
    int port = server.getLocalPort();
    var spec = new ProbeHandler.Http(Scheme.HTTP, Optional.empty(), port, "/healthz", List.of());
    assertThat(net.http.probe(spec, "::1", TIMEOUT).toCompletableFuture().join())
        .isEqualTo(ProbeResult.success("v6"));
    assertThat(head.get(1, TimeUnit.SECONDS)).contains("\r\nHost: [::1]:" + port + "\r\n");
  }

  @Test
  void headersTheRequestCannotCarryFailWithoutConnecting() throws Exception {
    var connections = new java.util.concurrent.atomic.AtomicInteger();
    int port = net.rawServer(s -> connections.incrementAndGet());
    assertThat(get(port, List.of(new HttpHeader("X Bad", "v"))))
        .isEqualTo(
            ProbeResult.failure(
                "Get \"http://127.0.0.1:%d/healthz\": net/http: invalid header field name \"X Bad\""
                    .formatted(port)));
    assertThat(get(port, List.of(new HttpHeader("X-Split", "a\r\nInjected: 1"))).message())
        .endsWith("net/http: invalid header field value for \"X-Split\"");
    Thread.sleep(50);
    assertThat(connections).hasValue(0);
  }
}
