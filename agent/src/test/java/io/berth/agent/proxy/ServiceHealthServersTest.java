package io.berth.agent.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.http.HttpReply;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** kube-proxy's service health check ports: which servers are open and what they answer. */
class ServiceHealthServersTest {
  private final List<String> events = new ArrayList<>();
  private final AtomicBoolean proxyHealthy = new AtomicBoolean(true);
  private final ServiceKey lb = new ServiceKey("shop", "lb");
  private final ServiceKey other = new ServiceKey("shop", "other");
  private boolean portInUse;

  private ServiceHealthServers servers(List<InetAddress> addresses) {
    return new ServiceHealthServers(
        addresses,
        proxyHealthy::get,
        (address, routes) -> {
          if (portInUse) {
            throw new IllegalStateException("bind " + address + ": Address already in use");
          }
          assertThat(routes.paths()).containsExactly("/", "/healthz");
          String where = address.getAddress().getHostAddress() + ":" + address.getPort();
          events.add("open " + where);
          return () -> events.add("close " + where);
        });
  }

  private static String body(HttpReply r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  @Test
  void answers200WithLocalEndpointsAnd503WithoutOrWhenTheProxyIsUnhealthy() throws Exception {
    ServiceHealthServers s = servers(List.of(InetAddress.getByName("192.0.2.1")));
    s.sync(Map.of(lb, 32100), Map.of(lb, 2));
    assertThat(events).containsExactly("open 192.0.2.1:32100");
    HttpReply ok = s.reply(lb);
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.contentType()).isEqualTo(HttpReply.JSON);
    assertThat(body(ok))
        .isEqualTo(
            "{\"service\":{\"namespace\":\"shop\",\"name\":\"lb\"},\"localEndpoints\":2,"
                + "\"serviceProxyHealthy\":true}\n");

    s.sync(Map.of(lb, 32100), Map.of());
    assertThat(s.reply(lb).status()).isEqualTo(503);
    assertThat(body(s.reply(lb))).contains("\"localEndpoints\":0");

    s.sync(Map.of(lb, 32100), Map.of(lb, 1));
    proxyHealthy.set(false);
    assertThat(s.reply(lb).status()).isEqualTo(503);
    assertThat(body(s.reply(lb))).contains("\"serviceProxyHealthy\":false");
    assertThat(events).as("no reopening while the port stays").hasSize(1);
  }

  @Test
  void portsFollowTheServicesAndABusyPortIsRetriedAtTheNextSync() {
    ServiceHealthServers s = servers(List.of());
    portInUse = true;
    s.sync(Map.of(lb, 32100), Map.of());
    assertThat(s.open()).isEmpty();

    portInUse = false;
    s.sync(Map.of(lb, 32100, other, 32101), Map.of());
    assertThat(s.open()).isEqualTo(Map.of(lb, 32100, other, 32101));
    assertThat(events).containsExactlyInAnyOrder("open 0.0.0.0:32100", "open 0.0.0.0:32101");

    s.sync(Map.of(lb, 32200), Map.of()); // lb's port changed, other gone
    assertThat(events)
        .containsExactlyInAnyOrder(
            "open 0.0.0.0:32100",
            "open 0.0.0.0:32101",
            "close 0.0.0.0:32100",
            "close 0.0.0.0:32101",
            "open 0.0.0.0:32200");
    s.close();
    assertThat(events).endsWith("close 0.0.0.0:32200");
    assertThat(s.open()).isEmpty();
  }
}
