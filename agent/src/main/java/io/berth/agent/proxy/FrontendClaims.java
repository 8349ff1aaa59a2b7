package io.berth.agent.proxy;

import io.berth.netfilter.model.Addresses;
import io.berth.netfilter.model.IpFamily;
import io.berth.netfilter.model.Protocol;
import io.berth.netfilter.model.ServicePort;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes every frontend (address + protocol + port, or node port + protocol, per family) belong to
 * one service port before the model goes to netfilter, which rejects a model where two service
 * ports claim one frontend — and one such pair would otherwise block every later sync.
 *
 * <p>The API server's allocators keep cluster IPs and node ports unique, but external IPs and
 * load-balancer IPs may be shared, and standalone files are not allocated at all. kube-proxy
 * programs both claims and the first rule wins; berth decides explicitly: the service port first in
 * {@code namespace/name:port} order keeps the frontend; the other loses that external or LB IP, its
 * node port, or — for a cluster IP — the whole service port. Each loss is reported.
 */
final class FrontendClaims {
  private FrontendClaims() {}

  /** The model's ports with conflicts removed, and one line per removed claim. */
  record Resolution(List<ServicePort> ports, List<String> conflicts) {}

  private record Key(IpFamily family, Protocol protocol, String address, int port) {}

  static Resolution resolve(List<ServicePort> ports) {
    List<ServicePort> sorted = new ArrayList<>(ports);
    sorted.sort(Comparator.comparing(ServicePort::name).thenComparing(ServicePort::family));
    Map<Key, ServicePort> owners = new HashMap<>();
    List<ServicePort> out = new ArrayList<>();
    List<String> conflicts = new ArrayList<>();
    for (ServicePort p : sorted) {
      List<String> lost = new ArrayList<>();
      boolean clusterIpLost = false;
      for (InetAddress a : p.clusterIps()) {
        if (taken(owners, p, frontend(p, a), lost, "cluster IP")) {
          clusterIpLost = true;
        }
      }
      if (clusterIpLost) {
        conflicts.add(p.name() + " " + p.family() + " dropped: " + String.join("; ", lost));
        continue;
      }
      List<InetAddress> external = kept(owners, p, p.externalIps(), lost, "external IP");
      List<InetAddress> lbs = kept(owners, p, p.loadBalancerIps(), lost, "load-balancer IP");
      int nodePort = p.nodePort();
      if (nodePort != 0
          && taken(owners, p, new Key(p.family(), p.protocol(), "", nodePort), lost, "node port")) {
        nodePort = 0;
      }
      // Claims are recorded only for ports that stay, so a dropped port frees its frontends.
      for (InetAddress a : p.clusterIps()) {
        owners.putIfAbsent(frontend(p, a), p);
      }
      external.forEach(a -> owners.putIfAbsent(frontend(p, a), p));
      lbs.forEach(a -> owners.putIfAbsent(frontend(p, a), p));
      if (nodePort != 0) {
        owners.putIfAbsent(new Key(p.family(), p.protocol(), "", nodePort), p);
      }
      if (lost.isEmpty()) {
        out.add(p);
      } else {
        conflicts.add(p.name() + " " + p.family() + ": " + String.join("; ", lost));
        out.add(p.withExternal(external, lbs, p.externalTrafficPolicy()).withNodePort(nodePort));
      }
    }
    return new Resolution(out, conflicts);
  }

  private static Key frontend(ServicePort p, InetAddress a) {
    return new Key(p.family(), p.protocol(), Addresses.text(a), p.port());
  }

  private static List<InetAddress> kept(
      Map<Key, ServicePort> owners,
      ServicePort p,
      List<InetAddress> addresses,
      List<String> lost,
      String what) {
    return addresses.stream().filter(a -> !taken(owners, p, frontend(p, a), lost, what)).toList();
  }

  private static boolean taken(
      Map<Key, ServicePort> owners, ServicePort p, Key k, List<String> lost, String what) {
    ServicePort owner = owners.get(k);
    if (owner == null || (owner.name().equals(p.name()) && owner.family() == p.family())) {
      return false;
    }
    String frontend = k.address().isEmpty() ? "" + k.port() : k.address() + ":" + k.port();
    lost.add(what + " " + frontend + "/" + k.protocol() + " already belongs to " + owner.name());
    return true;
  }
}
