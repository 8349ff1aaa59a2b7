package io.berth.agent.proxy;

import io.berth.agent.http.HttpApiServer;
import io.berth.agent.http.HttpLimits;
import io.berth.agent.http.HttpReply;
import io.berth.agent.http.HttpRoutes;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kube-proxy's service health servers ({@code healthcheck.ServiceHealthServer}): for each
 * LoadBalancer Service with {@code externalTrafficPolicy: Local} and a {@code healthCheckNodePort},
 * an HTTP server on that port of the node answers {@code GET /} and {@code GET /healthz} with 200
 * while this node has ready endpoints of the Service and the proxy is healthy, else 503, so the
 * cloud load balancer sends traffic only to nodes that can serve it locally. Body as kube-proxy's:
 * {@code {"service":{"namespace":"ns","name":"n"},"localEndpoints":N,"serviceProxyHealthy":true}}.
 *
 * <p>{@link #sync} (after every successful proxier sync) opens servers for new ports, closes those
 * of gone Services and updates the counts. A port that cannot be bound (in use) is logged and
 * retried at the next sync. Thread safety: {@link #sync} and {@link #close} are synchronized;
 * replies read a concurrent map.
 */
public final class ServiceHealthServers implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ServiceHealthServers.class);

  /** Starts one HTTP server; {@link HttpApiServer} in production. */
  @FunctionalInterface
  public interface Binder {
    AutoCloseable bind(InetSocketAddress address, HttpRoutes routes);
  }

  private final List<InetAddress> addresses;
  private final BooleanSupplier proxyHealthy;
  private final Binder binder;
  private final Map<ServiceKey, Integer> localEndpoints = new ConcurrentHashMap<>();
  private final Map<ServiceKey, Integer> ports = new HashMap<>();
  private final Map<ServiceKey, List<AutoCloseable>> servers = new HashMap<>();

  /**
   * @param addresses where to listen (the node-port addresses); empty: the wildcard address
   * @param proxyHealthy the proxier's own health ({@code /healthz} on 10256)
   */
  public ServiceHealthServers(
      List<InetAddress> addresses, BooleanSupplier proxyHealthy, Binder binder) {
    this.addresses = List.copyOf(addresses);
    this.proxyHealthy = proxyHealthy;
    this.binder = binder;
  }

  /** Netty HTTP servers with berth's default limits. */
  public static Binder netty() {
    return (address, routes) -> HttpApiServer.start(address, routes, HttpLimits.defaults());
  }

  /**
   * @param healthCheckNodePorts the port of each Service that needs one
   * @param localReady ready endpoints on this node per Service (missing: 0)
   */
  public synchronized void sync(
      Map<ServiceKey, Integer> healthCheckNodePorts, Map<ServiceKey, Integer> localReady) {
    for (ServiceKey k : List.copyOf(ports.keySet())) {
      if (!ports.get(k).equals(healthCheckNodePorts.get(k))) {
        stop(k);
      }
    }
    healthCheckNodePorts.forEach(
        (k, port) -> {
          localEndpoints.put(k, localReady.getOrDefault(k, 0));
          if (!servers.containsKey(k)) {
            start(k, port);
          }
        });
    localEndpoints.keySet().retainAll(healthCheckNodePorts.keySet());
  }

  private void start(ServiceKey k, int port) {
    HttpRoutes routes = new HttpRoutes().get("/", r -> reply(k)).get("/healthz", r -> reply(k));
    List<AutoCloseable> started = new ArrayList<>();
    List<InetAddress> where =
        addresses.isEmpty() ? List.of(new InetSocketAddress(0).getAddress()) : addresses;
    try {
      for (InetAddress a : where) {
        started.add(binder.bind(new InetSocketAddress(a, port), routes));
      }
    } catch (RuntimeException e) {
      log.warn(
          "health check node port {} of service {} cannot be opened (retrying at the next sync):"
              + " {}",
          port,
          k,
          e.getMessage());
      started.forEach(ServiceHealthServers::closeQuietly);
      return;
    }
    servers.put(k, started);
    ports.put(k, port);
    log.info("health check node port {} of service {} open on {}", port, k, where);
  }

  private void stop(ServiceKey k) {
    servers.getOrDefault(k, List.of()).forEach(ServiceHealthServers::closeQuietly);
    servers.remove(k);
    ports.remove(k);
    localEndpoints.remove(k);
  }

  /** kube-proxy's answer for {@code k}. */
  HttpReply reply(ServiceKey k) {
    int count = localEndpoints.getOrDefault(k, 0);
    boolean healthy = proxyHealthy.getAsBoolean();
    String body =
        "{\"service\":{\"namespace\":\""
            + k.namespace()
            + "\",\"name\":\""
            + k.name()
            + "\"},\"localEndpoints\":"
            + count
            + ",\"serviceProxyHealthy\":"
            + healthy
            + "}\n";
    return new HttpReply(
        count > 0 && healthy ? 200 : 503, HttpReply.JSON, body.getBytes(StandardCharsets.UTF_8));
  }

  /** The Services with an open health check port and their ports (for tests and logs). */
  public synchronized Map<ServiceKey, Integer> open() {
    return Map.copyOf(ports);
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      log.warn("closing a health check server: {}", e.toString());
    }
  }

  @Override
  public synchronized void close() {
    List.copyOf(servers.keySet()).forEach(this::stop);
  }
}
