package io.berth.netfilter.bench;

import io.berth.netfilter.model.Addresses;
import io.berth.netfilter.model.Endpoint;
import io.berth.netfilter.model.Protocol;
import io.berth.netfilter.model.ServicePort;
import io.berth.netfilter.model.ServicePortName;
import java.util.ArrayList;
import java.util.List;

/** S ClusterIP services × E endpoints with predictable addresses (benchmark input). */
final class SyntheticServices {
  private SyntheticServices() {}

  static String vip(int i) {
    return "10." + (96 + i / 65_536) + "." + (i / 256) % 256 + "." + i % 256;
  }

  static String endpoint(int i, int j, int perService) {
    int k = i * perService + j;
    return "10." + (128 + k / 65_536) + "." + (k / 256) % 256 + "." + k % 256;
  }

  static ServicePortName name(int i) {
    return new ServicePortName("bench", String.format("svc%06d", i), "http"); // sorted order
  }

  static List<Endpoint> endpoints(int i, int count, int perService) {
    List<Endpoint> eps = new ArrayList<>();
    for (int j = 0; j < count; j++) {
      eps.add(Endpoint.ready(Addresses.parse(endpoint(i, j, perService)), 8080, false));
    }
    return eps;
  }

  static ServicePort service(int i, int endpointCount, int perService) {
    return ServicePort.clusterIp(
        name(i),
        Protocol.TCP,
        Addresses.parse(vip(i)),
        80,
        endpoints(i, endpointCount, perService));
  }

  static List<ServicePort> services(int count, int perService) {
    List<ServicePort> ports = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ports.add(service(i, perService, perService));
    }
    return ports;
  }

  /**
   * The same services in kube-proxy's nftables shape (services verdict map, a chain per service
   * with a masquerade check and a {@code numgen ... vmap} over per-endpoint chains, each endpoint
   * chain marking hairpin traffic and DNATing), as {@code nft -f} input.
   */
  static String kubeProxyRuleset(int count, int perService) {
    StringBuilder b = new StringBuilder(count * perService * 200);
    b.append("add table ip kube-proxy\n")
        .append("add chain ip kube-proxy mark-for-masquerade\n")
        .append("add rule ip kube-proxy mark-for-masquerade mark set mark or 0x4000\n")
        .append(
            "add map ip kube-proxy service-ips { type ipv4_addr . inet_proto . inet_service"
                + " : verdict ; }\n")
        .append("add chain ip kube-proxy services\n")
        .append(
            "add rule ip kube-proxy services ip daddr . meta l4proto . th dport vmap"
                + " @service-ips\n")
        .append(
            "add chain ip kube-proxy nat-prerouting { type nat hook prerouting priority -100"
                + " ; }\n")
        .append("add rule ip kube-proxy nat-prerouting jump services\n");
    for (int i = 0; i < count; i++) {
      kubeProxyService(b, i, perService, perService);
    }
    return b.toString();
  }

  static String serviceChain(int i) {
    return "service-" + Integer.toHexString(0x1000000 + i) + "-bench/svc" + i + "/tcp/http";
  }

  static String endpointChain(int i, String ep) {
    return "endpoint-"
        + Integer.toHexString(0x1000000 + i)
        + "-bench/svc"
        + i
        + "/tcp/http__"
        + ep
        + "/8080";
  }

  /** Adds one service in kube-proxy's shape. */
  static void kubeProxyService(StringBuilder b, int i, int endpointCount, int perService) {
    b.append("add chain ip kube-proxy ").append(serviceChain(i)).append('\n');
    for (int j = 0; j < endpointCount; j++) {
      kubeProxyEndpoint(b, i, j, perService);
    }
    kubeProxyServiceRules(b, i, endpointCount, perService);
    b.append("add element ip kube-proxy service-ips { ")
        .append(vip(i))
        .append(" . tcp . 80 : goto ")
        .append(serviceChain(i))
        .append(" }\n");
  }

  private static void kubeProxyEndpoint(StringBuilder b, int i, int j, int perService) {
    String ep = endpoint(i, j, perService);
    String chain = endpointChain(i, ep);
    b.append("add chain ip kube-proxy ").append(chain).append('\n');
    b.append("add rule ip kube-proxy ")
        .append(chain)
        .append(" ip saddr ")
        .append(ep)
        .append(" jump mark-for-masquerade\n");
    b.append("add rule ip kube-proxy ")
        .append(chain)
        .append(" meta l4proto tcp dnat to ")
        .append(ep)
        .append(":8080\n");
  }

  private static void kubeProxyServiceRules(
      StringBuilder b, int i, int endpointCount, int perService) {
    String svc = serviceChain(i);
    b.append("add rule ip kube-proxy ")
        .append(svc)
        .append(" ip daddr ")
        .append(vip(i))
        .append(" tcp dport 80 ip saddr != 10.128.0.0/9 jump mark-for-masquerade\n");
    StringBuilder vmap = new StringBuilder();
    for (int j = 0; j < endpointCount; j++) {
      vmap.append(j == 0 ? "" : ", ")
          .append(j)
          .append(" : goto ")
          .append(endpointChain(i, endpoint(i, j, perService)));
    }
    b.append("add rule ip kube-proxy ")
        .append(svc)
        .append(" numgen random mod ")
        .append(endpointCount)
        .append(" vmap { ")
        .append(vmap)
        .append(" }\n");
  }

  /** kube-proxy's partial sync for service {@code i} going from {@code previous} endpoints. */
  static String kubeProxyChange(int i, int endpointCount, int perService, int previousCount) {
    StringBuilder b = new StringBuilder();
    for (int j = previousCount; j < endpointCount; j++) {
      kubeProxyEndpoint(b, i, j, perService);
    }
    b.append("flush chain ip kube-proxy ").append(serviceChain(i)).append('\n');
    kubeProxyServiceRules(b, i, endpointCount, perService);
    for (int j = endpointCount; j < previousCount; j++) {
      String chain = endpointChain(i, endpoint(i, j, perService));
      b.append("flush chain ip kube-proxy ").append(chain).append('\n');
      b.append("delete chain ip kube-proxy ").append(chain).append('\n');
    }
    return b.toString();
  }
}
