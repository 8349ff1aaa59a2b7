package io.berth.agent.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.testing.FakeClock;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** kube-proxy's /healthz semantics over a real loopback HTTP listener, time from a fake clock. */
class ProxyHealthServerTest {
  @Test
  void healthzIs200WhileSyncsKeepUpAnd503WithJsonOnceAnUpdateWaitedTooLong() throws Exception {
    FakeClock clock = new FakeClock();
    ProxyHealth health = new ProxyHealth(clock, Duration.ofSeconds(60));
    try (ProxyHealthServer server =
        ProxyHealthServer.start(new InetSocketAddress("127.0.0.1", 0), health)) {
      HttpClient http = HttpClient.newHttpClient();
      URI uri = URI.create("http://127.0.0.1:" + server.address().getPort() + "/healthz");
      HttpResponse<String> r =
          http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200); // starting up: healthy
      assertThat(r.headers().firstValue("content-type")).hasValue("application/json");

      health.queuedUpdate();
      clock.advance(Duration.ofSeconds(60));
      r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200); // exactly at the limit: still healthy
      clock.advance(Duration.ofSeconds(1));
      r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.body())
          .isEqualTo("{\"lastUpdated\": \"\",\"currentTime\": \"" + clock.instant() + "\"}\n");

      health.updated();
      r =
          http.send(
              HttpRequest.newBuilder(URI.create(uri.toString().replace("healthz", "livez")))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("\"lastUpdated\": \"" + clock.instant() + "\"");
    }
  }
}
