package io.berth.netfilter.model;

import java.util.ArrayList;
import java.util.List;

/** Small builders for service models used across tests. */
public final class Fixtures {
  private Fixtures() {}

  public static ServicePortName name(String ns, String svc) {
    return new ServicePortName(ns, svc, "http");
  }

  public static List<Endpoint> ready(int port, String... addresses) {
    List<Endpoint> eps = new ArrayList<>();
    for (String a : addresses) {
      eps.add(Endpoint.ready(Addresses.parse(a), port, true));
    }
    return eps;
  }

  public static ServicePort clusterIp(String svc, String vip, int port, List<Endpoint> eps) {
    return ServicePort.clusterIp(
        name("default", svc), Protocol.TCP, Addresses.parse(vip), port, eps);
  }

  public static ServiceModel model(ServicePort... ports) {
    return ServiceModel.of(ProxyConfig.defaults(), List.of(ports));
  }

  private static Endpoint hinted(String ip, boolean local, String zone) {
    return new Endpoint(
        Addresses.parse(ip), 8080, true, true, false, local, java.util.Set.of(zone));
  }

  /**
   * A NodePort service with {@code externalTrafficPolicy: Local} on a node in zone-a: two remote
   * endpoints hinted for zone-a and a local one hinted for zone-b: cluster traffic goes to the two
   * zone-a endpoints only, Local node-port traffic to the local one only.
   */
  public static ServiceModel zoned() {
    List<Endpoint> eps =
        List.of(
            new Endpoint(
                Addresses.parse("10.0.1.2"),
                8080,
                true,
                true,
                false,
                false,
                java.util.Set.of("zone-a")),
            new Endpoint(
                Addresses.parse("10.0.1.3"),
                8080,
                true,
                true,
                false,
                false,
                java.util.Set.of("zone-a")),
            new Endpoint(
                Addresses.parse("10.0.2.2"),
                8080,
                true,
                true,
                false,
                true,
                java.util.Set.of("zone-b")));
    ServicePort sp =
        clusterIp("web", "10.96.0.10", 80, eps)
            .withNodePort(30080)
            .withExternal(List.of(), List.of(), TrafficPolicy.LOCAL);
    return ServiceModel.of(ProxyConfig.defaults().withNodeZone("zone-a"), List.of(sp));
  }

  /** A LoadBalancer port on 198.51.100.7 reachable only from two ranges (and the LB IP itself). */
  public static ServiceModel firewalled() {
    ServicePort sp =
        clusterIp("lb", "10.96.0.20", 80, ready(8080, "10.0.1.2"))
            .withNodePort(30090)
            .withExternal(
                List.of(), List.of(Addresses.parse("198.51.100.7")), TrafficPolicy.CLUSTER)
            .withLoadBalancerSourceRanges(
                List.of(Cidr.parse("192.168.0.0/16"), Cidr.parse("203.0.113.0/24")));
    return model(sp);
  }
}
