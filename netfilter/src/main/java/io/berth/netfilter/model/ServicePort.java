package io.berth.netfilter.model;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * The desired state of one service port on this node: its frontends (cluster IPs, node port,
 * external IPs, load-balancer IPs), its policies, and its endpoints. One record per IP family: a
 * dual-stack Service is two records with the same {@link ServicePortName}.
 *
 * @param nodePort 0 when the service has no node port
 * @param loadBalancerSourceRanges {@code spec.loadBalancerSourceRanges} of this family: when not
 *     empty, connections to the load-balancer IPs are accepted only from these ranges (and from the
 *     load-balancer IPs themselves, as kube-proxy allows for load balancers that SNAT); cluster
 *     IPs, external IPs and node ports are not filtered
 */
public record ServicePort(
    ServicePortName name,
    IpFamily family,
    Protocol protocol,
    int port,
    List<InetAddress> clusterIps,
    int nodePort,
    List<InetAddress> externalIps,
    List<InetAddress> loadBalancerIps,
    SessionAffinity affinity,
    TrafficPolicy externalTrafficPolicy,
    TrafficPolicy internalTrafficPolicy,
    List<Endpoint> endpoints,
    List<Cidr> loadBalancerSourceRanges) {

  public ServicePort {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(family, "family");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(affinity, "affinity");
    Objects.requireNonNull(externalTrafficPolicy, "externalTrafficPolicy");
    Objects.requireNonNull(internalTrafficPolicy, "internalTrafficPolicy");
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException(name + ": port out of range: " + port);
    }
    if (nodePort < 0 || nodePort > 65_535) {
      throw new IllegalArgumentException(name + ": node port out of range: " + nodePort);
    }
    clusterIps = sorted(name, family, "cluster IP", clusterIps);
    externalIps = sorted(name, family, "external IP", externalIps);
    loadBalancerIps = sorted(name, family, "load-balancer IP", loadBalancerIps);
    for (Endpoint e : endpoints) {
      if (IpFamily.of(e.address()) != family) {
        throw new IllegalArgumentException(
            name + ": endpoint " + Addresses.text(e.address()) + " is not " + family);
      }
    }
    endpoints = endpoints.stream().sorted().distinct().toList();
    for (Cidr c : loadBalancerSourceRanges) {
      if (c.family() != family) {
        throw new IllegalArgumentException(
            name + ": load-balancer source range " + c + " is not " + family);
      }
    }
    loadBalancerSourceRanges =
        loadBalancerSourceRanges.stream()
            .distinct()
            .sorted(java.util.Comparator.comparing(Cidr::toString))
            .toList();
  }

  /** These frontends with {@code ranges} as the load-balancer source ranges. */
  public ServicePort withLoadBalancerSourceRanges(List<Cidr> ranges) {
    return new ServicePort(
        name,
        family,
        protocol,
        port,
        clusterIps,
        nodePort,
        externalIps,
        loadBalancerIps,
        affinity,
        externalTrafficPolicy,
        internalTrafficPolicy,
        endpoints,
        ranges);
  }

  private static List<InetAddress> sorted(
      ServicePortName name, IpFamily family, String what, List<InetAddress> addresses) {
    for (InetAddress a : addresses) {
      if (IpFamily.of(a) != family) {
        throw new IllegalArgumentException(
            name + ": " + what + " " + Addresses.text(a) + " is not " + family);
      }
    }
    return addresses.stream().sorted(Addresses::compare).distinct().toList();
  }

  /** A ClusterIP service port with default policies, for tests and simple callers. */
  public static ServicePort clusterIp(
      ServicePortName name,
      Protocol protocol,
      InetAddress clusterIp,
      int port,
      List<Endpoint> eps) {
    return new ServicePort(
        name,
        IpFamily.of(clusterIp),
        protocol,
        port,
        List.of(clusterIp),
        0,
        List.of(),
        List.of(),
        SessionAffinity.NONE,
        TrafficPolicy.CLUSTER,
        TrafficPolicy.CLUSTER,
        eps,
        List.of());
  }

  public ServicePort withEndpoints(List<Endpoint> eps) {
    return new ServicePort(
        name,
        family,
        protocol,
        port,
        clusterIps,
        nodePort,
        externalIps,
        loadBalancerIps,
        affinity,
        externalTrafficPolicy,
        internalTrafficPolicy,
        eps,
        loadBalancerSourceRanges);
  }

  public ServicePort withNodePort(int np) {
    return new ServicePort(
        name,
        family,
        protocol,
        port,
        clusterIps,
        np,
        externalIps,
        loadBalancerIps,
        affinity,
        externalTrafficPolicy,
        internalTrafficPolicy,
        endpoints,
        loadBalancerSourceRanges);
  }

  public ServicePort withAffinity(SessionAffinity a) {
    return new ServicePort(
        name,
        family,
        protocol,
        port,
        clusterIps,
        nodePort,
        externalIps,
        loadBalancerIps,
        a,
        externalTrafficPolicy,
        internalTrafficPolicy,
        endpoints,
        loadBalancerSourceRanges);
  }

  public ServicePort withExternal(
      List<InetAddress> external, List<InetAddress> lbs, TrafficPolicy policy) {
    return new ServicePort(
        name,
        family,
        protocol,
        port,
        clusterIps,
        nodePort,
        external,
        lbs,
        affinity,
        policy,
        internalTrafficPolicy,
        endpoints,
        loadBalancerSourceRanges);
  }

  public ServicePort withInternalTrafficPolicy(TrafficPolicy policy) {
    return new ServicePort(
        name,
        family,
        protocol,
        port,
        clusterIps,
        nodePort,
        externalIps,
        loadBalancerIps,
        affinity,
        externalTrafficPolicy,
        policy,
        endpoints,
        loadBalancerSourceRanges);
  }

  /** Whether traffic arriving from outside (node port, external and LB IPs) is possible. */
  public boolean hasExternalFrontends() {
    return nodePort != 0 || !externalIps.isEmpty() || !loadBalancerIps.isEmpty();
  }
}
