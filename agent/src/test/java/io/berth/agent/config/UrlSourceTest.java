package io.berth.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.berth.agent.testing.FakeClock;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class UrlSourceTest {
  /** What the server answers; a negative delay stalls the body after the headers. */
  private record Reply(int status, String body, long delayMillis) {}

  private final FakeClock clock = new FakeClock(Instant.parse("2026-11-24T09:00:00Z"));
  private final AtomicReference<Reply> reply = new AtomicReference<>(new Reply(200, "", 0));
  private final AtomicReference<String> seenHeader = new AtomicReference<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private HttpServer server;
  private HttpClient client;
  private PodConfig config;
  private UrlSource source;

  @BeforeEach
  void setUp() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/pods",
        exchange -> {
          seenHeader.set(exchange.getRequestHeaders().getFirst("X-Berth-Token"));
          Reply r = reply.get();
          try {
            if (r.delayMillis > 0) {
              release.await(r.delayMillis, TimeUnit.MILLISECONDS);
            }
            byte[] body = r.body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(r.status, body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              if (r.delayMillis < 0) {
                out.write(body, 0, 10);
                out.flush();
                release.await(-r.delayMillis, TimeUnit.MILLISECONDS);
              }
              out.write(
                  body,
                  r.delayMillis < 0 ? 10 : 0,
                  r.delayMillis < 0 ? body.length - 10 : body.length);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } finally {
            exchange.close();
          }
        });
    server.setExecutor(executor);
    server.start();
    client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    // One exchange before the test, outside UrlSource's 0.5 s budget: the JDK's HTTP client and
    // server start cold (class loading, JIT), which on a loaded 2-core machine can take longer
    // than the budget the tests below are about.
    try {
      client.send(
          java.net.http.HttpRequest.newBuilder(
                  URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/pods"))
              .build(),
          java.net.http.HttpResponse.BodyHandlers.discarding());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ManifestDecoder decoder = new ManifestDecoder();
    config = new PodConfig(clock, decoder);
    config.register(ConfigSource.HTTP);
    URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/pods");
    source =
        new UrlSource(
            url,
            Map.of("X-Berth-Token", List.of("secret")),
            client,
            Duration.ofSeconds(2),
            Duration.ofSeconds(20),
            new ManifestReader(decoder, new StaticPodDefaults("node1", decoder)),
            config,
            clock);
  }

  @AfterEach
  void tearDown() {
    release.countDown();
    server.stop(0);
    client.close();
    executor.shutdownNow();
  }

  private List<String> updates() throws InterruptedException {
    return Updates.describeAll(Updates.drain(config));
  }

  @Test
  void podWithHeadersThenUnchanged() throws Exception {
    reply.set(new Reply(200, Manifests.validPod(), 0));
    assertThat(source.pollOnce()).isEqualTo(new UrlSource.PollResult.Synced(1));
    assertThat(seenHeader.get()).isEqualTo("secret");
    assertThat(updates()).containsExactly("ADD http [web-node1]");
    assertThat(config.allSourcesReady()).isTrue();
    assertThat(source.nextPoll()).isEqualTo(clock.instant().plusSeconds(20));
    assertThat(source.pollOnce()).isEqualTo(new UrlSource.PollResult.Unchanged());
    assertThat(updates()).isEmpty();
  }

  @Test
  void podListAllOrNothing() throws Exception {
    reply.set(new Reply(200, Manifests.resource("pod-list.json"), 0));
    assertThat(source.pollOnce()).isEqualTo(new UrlSource.PollResult.Synced(2));
    assertThat(updates()).containsExactly("ADD http [one-node1, two-node1]");
    reply.set(
        new Reply(
            200,
            Manifests.resource("pod-list.json").replace("busybox:1.36\"}]}}\n]", "\"}]}}\n]"),
            0));
    assertThat(source.pollOnce()).isInstanceOf(UrlSource.PollResult.Failed.class);
    assertThat(updates()).as("one invalid item rejects the list; last good state kept").isEmpty();
    assertThat(config.rejectedManifests())
        .singleElement()
        .satisfies(
            r ->
                assertThat(r.reason())
                    .endsWith("items[1]: invalid pod: [spec.containers[0].image: Required value]"));
  }

  @Test
  void failuresKeepTheLastGoodStateAndBackOff() throws Exception {
    reply.set(new Reply(200, Manifests.validPod(), 0));
    source.pollOnce();
    updates();
    reply.set(new Reply(500, "oops", 0));
    List<Duration> backoffs = new java.util.ArrayList<>();
    for (int i = 0; i < 7; i++) {
      UrlSource.PollResult r = source.pollOnce();
      assertThat(r).isInstanceOf(UrlSource.PollResult.Failed.class);
      assertThat(((UrlSource.PollResult.Failed) r).reason()).contains("HTTP status 500");
      backoffs.add(((UrlSource.PollResult.Failed) r).retryAfter());
    }
    assertThat(backoffs)
        .containsExactly(
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofSeconds(4),
            Duration.ofSeconds(8),
            Duration.ofSeconds(16),
            Duration.ofSeconds(20),
            Duration.ofSeconds(20));
    assertThat(source.nextPoll()).isEqualTo(clock.instant().plusSeconds(20));
    reply.set(new Reply(200, "{{{ garbage", 0));
    assertThat(source.pollOnce()).isInstanceOf(UrlSource.PollResult.Failed.class);
    assertThat(config.rejectedManifests())
        .singleElement()
        .satisfies(r -> assertThat(r.location()).endsWith("/pods"));
    assertThat(updates()).isEmpty();
    assertThat(config.mergedState()).hasSize(1);
    reply.set(new Reply(200, Manifests.validPod(), 0));
    assertThat(source.pollOnce()).isEqualTo(new UrlSource.PollResult.Synced(1));
    assertThat(updates()).as("same pods as before the failures").isEmpty();
    assertThat(config.rejectedManifests()).isEmpty();
    assertThat(source.nextPoll()).isEqualTo(clock.instant().plusSeconds(20));
  }

  @Test
  void timeoutAndServerGoneKeepState() throws Exception {
    reply.set(new Reply(200, Manifests.validPod(), 0));
    source.pollOnce();
    updates();
    reply.set(new Reply(200, Manifests.validPod(), 5_000));
    UrlSource.PollResult slow = source.pollOnce();
    assertThat(slow).isInstanceOf(UrlSource.PollResult.Failed.class);
    assertThat(((UrlSource.PollResult.Failed) slow).reason())
        .containsAnyOf("timed out", "within PT2S");
    reply.set(new Reply(200, Manifests.validPod(), -5_000));
    UrlSource.PollResult stalled = source.pollOnce();
    assertThat(stalled).isInstanceOf(UrlSource.PollResult.Failed.class);
    assertThat(((UrlSource.PollResult.Failed) stalled).reason())
        .contains("body not received within PT2S");
    release.countDown();
    server.stop(0);
    UrlSource.PollResult gone = source.pollOnce();
    assertThat(gone).isInstanceOf(UrlSource.PollResult.Failed.class);
    assertThat(((UrlSource.PollResult.Failed) gone).reason()).contains("GET http://127.0.0.1:");
    assertThat(updates()).isEmpty();
    assertThat(config.mergedState())
        .extracting(p -> p.getMetadata().getName())
        .containsExactly("web-node1");
  }

  @Test
  void pollThreadDeliversAndStops() throws Exception {
    reply.set(new Reply(200, Manifests.validPod(), 0));
    source.start();
    try {
      PodUpdate u = config.poll(Duration.ofSeconds(10));
      assertThat(u).isNotNull();
      assertThat(Updates.describe(u)).isEqualTo("ADD http [web-node1]");
    } finally {
      source.close();
    }
  }

  @Test
  void restrictedHeaderIsRefusedUpFront() {
    ManifestDecoder decoder = new ManifestDecoder();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                new UrlSource(
                    URI.create("http://127.0.0.1:1/pods"),
                    Map.of("Host", List.of("evil")),
                    client,
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(20),
                    new ManifestReader(decoder, new StaticPodDefaults("n", decoder)),
                    config,
                    clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("manifest URL header Host cannot be sent: ");
  }

  @Test
  void firstFailureDoesNotMakeTheSourceReady() throws Exception {
    reply.set(new Reply(404, "", 0));
    assertThat(source.pollOnce()).isInstanceOf(UrlSource.PollResult.Failed.class);
    assertThat(config.allSourcesReady()).isFalse();
    assertThat(updates()).isEmpty();
  }

  @Test
  void emptyBodyMeansNoPodsAsInTheKubelet() throws Exception {
    reply.set(new Reply(200, Manifests.validPod(), 0));
    source.pollOnce();
    updates();
    reply.set(new Reply(200, "", 0));
    assertThat(source.pollOnce()).isEqualTo(new UrlSource.PollResult.Synced(0));
    assertThat(updates()).containsExactly("REMOVE http [web-node1]");
  }
}
