package io.berth.agent.proxy;

import io.berth.agent.http.HttpApiServer;
import io.berth.agent.http.HttpLimits;
import io.berth.agent.http.HttpReply;
import io.berth.agent.http.HttpRoutes;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * kube-proxy's health server ({@code --healthz-bind-address}, port 10256): {@code GET /healthz} and
 * {@code GET /livez} answer 200 while the proxier's syncs keep up and 503 once an update has waited
 * longer than twice the sync period ({@link ProxyHealth}), both with kube-proxy's JSON body {@code
 * {"lastUpdated": "...","currentTime": "..."}}. Load balancers point their node health checks here.
 */
public final class ProxyHealthServer implements AutoCloseable {
  private final HttpApiServer server;

  private ProxyHealthServer(HttpApiServer server) {
    this.server = server;
  }

  /** Listens on {@code address} (port 0: any free port). */
  public static ProxyHealthServer start(InetSocketAddress address, ProxyHealth health) {
    HttpRoutes routes =
        new HttpRoutes().get("/healthz", r -> reply(health)).get("/livez", r -> reply(health));
    return new ProxyHealthServer(HttpApiServer.start(address, routes, HttpLimits.defaults()));
  }

  static HttpReply reply(ProxyHealth health) {
    ProxyHealth.Status s = health.status();
    return new HttpReply(
        s.httpStatus(), HttpReply.JSON, (s.json() + "\n").getBytes(StandardCharsets.UTF_8));
  }

  public InetSocketAddress address() {
    return server.address();
  }

  @Override
  public void close() {
    server.close();
  }
}
