package io.berth.agent.proxy;

import io.berth.netfilter.model.Addresses;
import io.berth.netfilter.model.Cidr;
import io.berth.netfilter.model.IpFamily;
import io.berth.netfilter.model.Protocol;
import io.berth.netfilter.model.ServicePort;
import io.berth.netfilter.model.ServicePortName;
import io.berth.netfilter.model.SessionAffinity;
import io.berth.netfilter.model.TrafficPolicy;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Service → {@link ServiceInfo}, following kube-proxy's {@code newBaseServiceInfo} and its informer
 * label selectors. Invalid fields throw {@link IllegalArgumentException} naming the service.
 */
public final class ServiceConverter {
  /** kube-proxy's informer skips Services with this label unless it names this proxy. */
  public static final String PROXY_NAME_LABEL = "service.kubernetes.io/service-proxy-name";

  /** Set on the EndpointSlices (and Services) of headless Services; kube-proxy ignores them. */
  public static final String HEADLESS_LABEL = "service.kubernetes.io/headless";

  static final int DEFAULT_AFFINITY_SECONDS = 10_800;

  private final Optional<String> proxyName;

  public ServiceConverter(Optional<String> proxyName) {
    this.proxyName = proxyName;
  }

  /** Why the proxier ignores this Service, or empty when it handles it. */
  public Optional<String> skipReason(Service svc) {
    Map<String, String> labels = svc.getMetadata().getLabels();
    if (labels != null) {
      String owner = labels.get(PROXY_NAME_LABEL);
      if (owner != null && !proxyName.equals(Optional.of(owner))) {
        return Optional.of("handled by service proxy '" + owner + "'");
      }
      if (labels.containsKey(HEADLESS_LABEL)) {
        return Optional.of("labelled " + HEADLESS_LABEL);
      }
    }
    ServiceSpec spec = svc.getSpec();
    if (spec == null) {
      return Optional.of("no spec");
    }
    if ("ExternalName".equals(spec.getType())) {
      return Optional.of("type ExternalName");
    }
    String clusterIp = spec.getClusterIP();
    if (clusterIp == null || clusterIp.isEmpty() || "None".equals(clusterIp)) {
      return Optional.of("headless (no cluster IP)");
    }
    return Optional.empty();
  }

  /** The Service's ports, or empty when {@link #skipReason} says it is not ours. */
  public Optional<ServiceInfo> convert(Service svc) {
    if (skipReason(svc).isPresent()) {
      return Optional.empty();
    }
    ServiceKey key = ServiceKey.of(svc.getMetadata());
    try {
      return Optional.of(new ServiceInfo(key, ports(key, svc), healthCheckNodePort(svc)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("service " + key + ": " + e.getMessage(), e);
    }
  }

  /** kube-proxy's {@code NeedsHealthCheck}: LoadBalancer with Local external policy; else 0. */
  static int healthCheckNodePort(Service svc) {
    ServiceSpec spec = svc.getSpec();
    Integer port = spec.getHealthCheckNodePort();
    return "LoadBalancer".equals(spec.getType())
            && "Local".equals(spec.getExternalTrafficPolicy())
            && port != null
        ? port
        : 0;
  }

  private static List<ServicePort> ports(ServiceKey key, Service svc) {
    ServiceSpec spec = svc.getSpec();
    String type = spec.getType() == null ? "ClusterIP" : spec.getType();
    boolean external = type.equals("NodePort") || type.equals("LoadBalancer");
    List<InetAddress> clusterIps = clusterIps(spec);
    List<InetAddress> externalIps = parseAll(spec.getExternalIPs());
    List<InetAddress> lbIps = loadBalancerIps(svc);
    SessionAffinity affinity = affinity(spec);
    // kube-proxy's ExternalPolicyLocal: only NodePort and LoadBalancer services have one.
    TrafficPolicy etp =
        external && "Local".equals(spec.getExternalTrafficPolicy())
            ? TrafficPolicy.LOCAL
            : TrafficPolicy.CLUSTER;
    TrafficPolicy itp =
        "Local".equals(spec.getInternalTrafficPolicy())
            ? TrafficPolicy.LOCAL
            : TrafficPolicy.CLUSTER;
    List<Cidr> sourceRanges = sourceRanges(svc);
    List<ServicePort> out = new ArrayList<>();
    for (io.fabric8.kubernetes.api.model.ServicePort p : nullSafe(spec.getPorts())) {
      if (p.getPort() == null) {
        throw new IllegalArgumentException("port " + p.getName() + " has no port number");
      }
      String portName = p.getName() == null ? "" : p.getName();
      Protocol protocol = protocol(p.getProtocol());
      int nodePort = external && p.getNodePort() != null ? p.getNodePort() : 0;
      for (IpFamily family : IpFamily.values()) {
        // One cluster IP per family, as GetClusterIPByFamily picks it.
        List<InetAddress> vip = clusterIps.stream().filter(a -> IpFamily.of(a) == family).toList();
        if (vip.isEmpty()) {
          continue;
        }
        out.add(
            new ServicePort(
                new ServicePortName(key.namespace(), key.name(), portName),
                family,
                protocol,
                p.getPort(),
                List.of(vip.getFirst()),
                nodePort,
                ofFamily(externalIps, family),
                ofFamily(lbIps, family),
                affinity,
                etp,
                itp,
                List.of(),
                sourceRanges.stream().filter(c -> c.family() == family).toList()));
      }
    }
    return out;
  }

  /** The annotation kube-proxy reads when {@code spec.loadBalancerSourceRanges} is empty. */
  static final String SOURCE_RANGES_ANNOTATION =
      "service.beta.kubernetes.io/load-balancer-source-ranges";

  /**
   * {@code spec.loadBalancerSourceRanges}, else the annotation (comma-separated), as kube-proxy
   * reads them; entries that are not CIDRs are skipped, as kube-proxy does.
   */
  static List<Cidr> sourceRanges(Service svc) {
    List<String> raw = nullSafe(svc.getSpec().getLoadBalancerSourceRanges());
    if (raw.isEmpty() && svc.getMetadata().getAnnotations() != null) {
      String a = svc.getMetadata().getAnnotations().getOrDefault(SOURCE_RANGES_ANNOTATION, "");
      raw = a.isBlank() ? List.of() : List.of(a.split(","));
    }
    List<Cidr> out = new ArrayList<>();
    for (String r : raw) {
      try {
        out.add(Cidr.parse(r.strip()));
      } catch (IllegalArgumentException e) {
        // kube-proxy filters out what does not parse
      }
    }
    return out;
  }

  private static List<InetAddress> clusterIps(ServiceSpec spec) {
    List<String> ips = nullSafe(spec.getClusterIPs());
    if (ips.isEmpty()) {
      ips = List.of(spec.getClusterIP());
    }
    return parseAll(ips);
  }

  private static List<InetAddress> loadBalancerIps(Service svc) {
    if (svc.getStatus() == null || svc.getStatus().getLoadBalancer() == null) {
      return List.of();
    }
    List<InetAddress> out = new ArrayList<>();
    for (LoadBalancerIngress ing : nullSafe(svc.getStatus().getLoadBalancer().getIngress())) {
      // ipMode Proxy: the load balancer proxies, traffic never arrives for the LB IP (IsVIPMode).
      if (ing.getIp() != null && !ing.getIp().isEmpty() && !"Proxy".equals(ing.getIpMode())) {
        out.add(parse(ing.getIp()));
      }
    }
    return out;
  }

  private static SessionAffinity affinity(ServiceSpec spec) {
    if (!"ClientIP".equals(spec.getSessionAffinity())) {
      return SessionAffinity.NONE;
    }
    Integer seconds =
        spec.getSessionAffinityConfig() == null
                || spec.getSessionAffinityConfig().getClientIP() == null
            ? null
            : spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds();
    return new SessionAffinity.ClientIp(
        Duration.ofSeconds(seconds == null ? DEFAULT_AFFINITY_SECONDS : seconds));
  }

  static Protocol protocol(String text) {
    if (text == null || text.isEmpty()) {
      return Protocol.TCP;
    }
    try {
      return Protocol.valueOf(text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unsupported protocol '" + text + "'", e);
    }
  }

  private static List<InetAddress> ofFamily(List<InetAddress> all, IpFamily family) {
    return all.stream().filter(a -> IpFamily.of(a) == family).toList();
  }

  private static List<InetAddress> parseAll(List<String> literals) {
    return literals.stream().map(ServiceConverter::parse).toList();
  }

  private static InetAddress parse(String literal) {
    if (literal == null) {
      throw new IllegalArgumentException("missing IP address");
    }
    return Addresses.parse(literal.strip());
  }

  static <T> List<T> nullSafe(List<T> list) {
    return list == null ? List.of() : list;
  }
}
