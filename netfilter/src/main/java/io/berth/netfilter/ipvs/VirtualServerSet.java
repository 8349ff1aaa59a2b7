package io.berth.netfilter.ipvs;

import io.berth.netfilter.NetfilterException;
import io.berth.netfilter.model.Cidr;
import io.berth.netfilter.model.Endpoint;
import io.berth.netfilter.model.EndpointSelection;
import io.berth.netfilter.model.IpFamily;
import io.berth.netfilter.model.ServiceModel;
import io.berth.netfilter.model.ServicePort;
import io.berth.netfilter.model.SessionAffinity;
import java.net.InetAddress;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The virtual servers kube-proxy's IPVS proxier makes for a {@link ServiceModel}: one per cluster
 * IP, external IP and load-balancer IP at the service port, and one per node IP at the node port;
 * scheduler {@code rr}; persistence with the ClientIP affinity timeout; real servers are the
 * endpoints {@link EndpointSelection} picks for the frontend's traffic policy (internal for cluster
 * IPs, external for the others), masqueraded, weight 1.
 *
 * @param servers by kernel identity, sorted (addresses, then protocol, then port)
 */
public record VirtualServerSet(SortedMap<VirtualServer.Key, Entry> servers) {

  /** One virtual server, its destinations, and the service port it came from (for errors). */
  public record Entry(VirtualServer service, List<RealServer> dests, String owner) {}

  public VirtualServerSet {
    servers = Collections.unmodifiableSortedMap(new TreeMap<>(servers));
  }

  /**
   * @param nodeIps this node's addresses (kube-proxy: those on its interfaces in {@code
   *     --nodeport-addresses}, else every non-loopback one); node ports get one virtual server per
   *     address of the port's family that {@link
   *     io.berth.netfilter.model.ProxyConfig#nodePortAddresses} admits
   * @throws NetfilterException when two service ports claim one virtual server (naming both)
   */
  public static VirtualServerSet of(ServiceModel model, List<InetAddress> nodeIps)
      throws NetfilterException {
    SortedMap<VirtualServer.Key, Entry> out = new TreeMap<>();
    String zone = model.config().nodeZone();
    for (ServicePort p : model.ports()) {
      String owner = p.name() + " " + p.family();
      List<RealServer> internal =
          dests(EndpointSelection.select(p.endpoints(), p.internalTrafficPolicy(), zone));
      List<RealServer> external =
          dests(EndpointSelection.select(p.endpoints(), p.externalTrafficPolicy(), zone));
      for (InetAddress ip : p.clusterIps()) {
        put(out, server(p, ip, p.port()), internal, owner);
      }
      for (InetAddress ip : p.externalIps()) {
        put(out, server(p, ip, p.port()), external, owner);
      }
      for (InetAddress ip : p.loadBalancerIps()) {
        put(out, server(p, ip, p.port()), external, owner);
      }
      if (p.nodePort() != 0) {
        for (InetAddress ip : nodePortAddresses(model, p.family(), nodeIps)) {
          put(out, server(p, ip, p.nodePort()), external, owner);
        }
      }
    }
    return new VirtualServerSet(out);
  }

  private static List<RealServer> dests(List<Endpoint> endpoints) {
    return endpoints.stream()
        .map(e -> RealServer.masq(e.address(), e.port()))
        .sorted()
        .distinct()
        .toList();
  }

  private static VirtualServer server(ServicePort p, InetAddress ip, int port) {
    VirtualServer vs = VirtualServer.of(p.protocol(), ip, port);
    return p.affinity() instanceof SessionAffinity.ClientIp c
        ? vs.persistent((int) c.timeout().toSeconds())
        : vs;
  }

  private static void put(
      SortedMap<VirtualServer.Key, Entry> out,
      VirtualServer vs,
      List<RealServer> dests,
      String owner)
      throws NetfilterException {
    Entry before = out.putIfAbsent(vs.key(), new Entry(vs, dests, owner));
    if (before != null) {
      throw new NetfilterException(
          "IPVS virtual server "
              + vs.key()
              + " is claimed by service "
              + before.owner()
              + " and by service "
              + owner);
    }
  }

  private static List<InetAddress> nodePortAddresses(
      ServiceModel model, IpFamily family, List<InetAddress> nodeIps) {
    List<Cidr> allowed = model.config().nodePortAddresses(family);
    return nodeIps.stream()
        .filter(a -> IpFamily.of(a) == family)
        .filter(
            a ->
                allowed.isEmpty()
                    ? !a.isLoopbackAddress()
                    : allowed.stream().anyMatch(c -> c.contains(a)))
        .distinct()
        .toList();
  }
}
