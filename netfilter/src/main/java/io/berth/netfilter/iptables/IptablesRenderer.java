package io.berth.netfilter.iptables;

import io.berth.netfilter.model.Addresses;
import io.berth.netfilter.model.Cidr;
import io.berth.netfilter.model.Endpoint;
import io.berth.netfilter.model.EndpointSelection;
import io.berth.netfilter.model.IpFamily;
import io.berth.netfilter.model.ProxyConfig;
import io.berth.netfilter.model.ServiceModel;
import io.berth.netfilter.model.ServicePort;
import io.berth.netfilter.model.SessionAffinity;
import io.berth.netfilter.model.TrafficPolicy;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Renders the model in kube-proxy's iptables shape under berth's chain names, as {@code
 * iptables-restore --noflush} input for the {@code filter} and {@code nat} tables (every berth
 * chain is declared, hence flushed, and rewritten). The jumps from the built-in chains are separate
 * ({@link #jumps}) because they must be ensured once, not appended on every restore.
 *
 * <pre>
 *  nat PREROUTING/OUTPUT → BERTH-SERVICES: per frontend → BERTH-SVC-x (cluster) | BERTH-EXT-x
 *     BERTH-SVC-x: [masq mark] statistic random 1/(n-i) → BERTH-SEP-y … (recent for affinity)
 *     BERTH-SEP-y: hairpin mark, DNAT
 *     BERTH-SERVICES last: addrtype LOCAL → BERTH-NODEPORTS → BERTH-EXT-x
 *  nat POSTROUTING → BERTH-POSTROUTING: mark → masquerade
 *  filter INPUT/FORWARD/OUTPUT → BERTH-SERVICES / BERTH-EXTERNAL-SERVICES: REJECT no endpoints;
 *     BERTH-FW-x: loadBalancerSourceRanges by conntrack original destination (RETURN or DROP)
 * </pre>
 */
public final class IptablesRenderer {
  private IptablesRenderer() {}

  /** Rules in built-in chains that lead into berth's chains (one line per rule, {@code -t}). */
  public static List<String> jumps() {
    return List.of(
        "-t nat -A PREROUTING -m comment --comment \"berth service portals\" -j BERTH-SERVICES",
        "-t nat -A OUTPUT -m comment --comment \"berth service portals\" -j BERTH-SERVICES",
        "-t nat -A POSTROUTING -m comment --comment \"berth postrouting rules\" -j BERTH-POSTROUTING",
        "-t filter -A INPUT -m conntrack --ctstate NEW -j BERTH-EXTERNAL-SERVICES",
        "-t filter -A INPUT -m conntrack --ctstate NEW -j BERTH-SERVICES",
        "-t filter -A FORWARD -m conntrack --ctstate NEW -j BERTH-SERVICES",
        "-t filter -A OUTPUT -m conntrack --ctstate NEW -j BERTH-SERVICES");
  }

  /** {@code iptables-restore} (IPv4) or {@code ip6tables-restore} (IPv6) input. */
  public static String render(ServiceModel model, IpFamily family) {
    ProxyConfig cfg = model.config();
    String mark = "0x" + Integer.toHexString(cfg.masqueradeMark());
    String host = family == IpFamily.IPV4 ? "/32" : "/128";
    String rejectWith =
        family == IpFamily.IPV4 ? "icmp-port-unreachable" : "icmp6-port-unreachable";
    List<String> filterChains =
        new ArrayList<>(List.of("BERTH-SERVICES", "BERTH-EXTERNAL-SERVICES"));
    List<String> filter = new ArrayList<>();
    // a set: pick() asks "declared already?" once per endpoint (a list made that O(n²): 7 s at 5k)
    Set<String> natChains =
        new LinkedHashSet<>(
            List.of("BERTH-SERVICES", "BERTH-NODEPORTS", "BERTH-POSTROUTING", "BERTH-MARK-MASQ"));
    List<String> nat = new ArrayList<>();
    nat.add("-A BERTH-POSTROUTING -m mark ! --mark " + mark + "/" + mark + " -j RETURN");
    nat.add("-A BERTH-POSTROUTING -j MARK --xor-mark " + mark);
    nat.add("-A BERTH-POSTROUTING -j MASQUERADE --random-fully");
    nat.add("-A BERTH-MARK-MASQ -j MARK --or-mark " + mark);
    List<String> nodePorts = new ArrayList<>();

    for (ServicePort sp : model.ports(family)) {
      String proto = sp.protocol().nftName();
      String name = sp.name().toString();
      String id = hash(sp);
      String svc = "BERTH-SVC-" + id;
      String ext = "BERTH-EXT-" + id;
      String local = "BERTH-SVL-" + id;
      List<Endpoint> cluster =
          EndpointSelection.select(sp.endpoints(), sp.internalTrafficPolicy(), cfg.nodeZone());
      List<Endpoint> external =
          EndpointSelection.select(sp.endpoints(), sp.externalTrafficPolicy(), cfg.nodeZone());
      boolean usable = EndpointSelection.hasAnyUsable(sp.endpoints());
      String noEndpoints = usable ? "DROP" : "REJECT --reject-with " + rejectWith;
      List<InetAddress> externalIps = new ArrayList<>(sp.externalIps());
      externalIps.addAll(sp.loadBalancerIps());

      for (InetAddress ip : sp.clusterIps()) {
        String match =
            "-d "
                + Addresses.text(ip)
                + host
                + " -p "
                + proto
                + " -m "
                + proto
                + " --dport "
                + sp.port();
        if (cluster.isEmpty()) {
          filter.add(
              "-A BERTH-SERVICES "
                  + match
                  + " -m comment --comment \""
                  + name
                  + " has no endpoints\" -j "
                  + noEndpoints);
        } else {
          nat.add(
              "-A BERTH-SERVICES "
                  + match
                  + " -m comment --comment \""
                  + name
                  + " cluster IP\" -j "
                  + svc);
        }
      }
      for (InetAddress ip : externalIps) {
        String match =
            "-d "
                + Addresses.text(ip)
                + host
                + " -p "
                + proto
                + " -m "
                + proto
                + " --dport "
                + sp.port();
        if (external.isEmpty()) {
          filter.add(
              "-A BERTH-EXTERNAL-SERVICES "
                  + match
                  + " -m comment --comment \""
                  + name
                  + " has no endpoints\" -j "
                  + noEndpoints);
        } else {
          nat.add(
              "-A BERTH-SERVICES "
                  + match
                  + " -m comment --comment \""
                  + name
                  + " external IP\" -j "
                  + ext);
        }
      }
      if (!sp.loadBalancerSourceRanges().isEmpty() && !sp.loadBalancerIps().isEmpty()) {
        // loadBalancerSourceRanges: new connections whose original destination is a load-balancer
        // IP (the filter hooks see them after DNAT) are dropped unless their source is allowed
        String fw = "BERTH-FW-" + id;
        filterChains.add(fw);
        for (InetAddress ip : sp.loadBalancerIps()) {
          filter.add(
              "-A BERTH-SERVICES -p "
                  + proto
                  + " -m conntrack --ctorigdst "
                  + Addresses.text(ip)
                  + host
                  + " --ctorigdstport "
                  + sp.port()
                  + " -m comment --comment \""
                  + name
                  + " loadbalancer firewall\" -j "
                  + fw);
        }
        for (Cidr c : sp.loadBalancerSourceRanges()) {
          filter.add("-A " + fw + " -s " + c + " -j RETURN");
        }
        for (InetAddress ip : sp.loadBalancerIps()) {
          filter.add("-A " + fw + " -s " + Addresses.text(ip) + host + " -j RETURN");
        }
        filter.add("-A " + fw + " -j DROP");
      }
      if (sp.nodePort() != 0) {
        String match = "-p " + proto + " -m " + proto + " --dport " + sp.nodePort();
        if (external.isEmpty()) {
          filter.add(
              "-A BERTH-EXTERNAL-SERVICES -m addrtype --dst-type LOCAL "
                  + match
                  + " -m comment --comment \""
                  + name
                  + " has no endpoints\" -j "
                  + noEndpoints);
        } else {
          nodePorts.add(
              "-A BERTH-NODEPORTS " + match + " -m comment --comment \"" + name + "\" -j " + ext);
        }
      }
      if (!cluster.isEmpty()) {
        natChains.add(svc);
        if (cfg.masqueradeAll()) {
          nat.add("-A " + svc + " -j BERTH-MARK-MASQ");
        }
        for (Cidr c : cfg.clusterCidrs(family)) {
          nat.add("-A " + svc + " ! -s " + c + " -j BERTH-MARK-MASQ");
        }
        pick(nat, natChains, sp, svc, cluster, host);
      }
      if (!external.isEmpty() && sp.hasExternalFrontends()) {
        natChains.add(ext);
        if (sp.externalTrafficPolicy() == TrafficPolicy.CLUSTER) {
          nat.add("-A " + ext + " -j BERTH-MARK-MASQ");
        }
        if (sp.externalTrafficPolicy() == TrafficPolicy.CLUSTER
            && sp.internalTrafficPolicy() == TrafficPolicy.CLUSTER) {
          nat.add("-A " + ext + " -j " + svc); // same endpoints as the cluster IP
        } else {
          String own =
              sp.externalTrafficPolicy() == TrafficPolicy.LOCAL ? local : "BERTH-SVX-" + id;
          natChains.add(own);
          nat.add("-A " + ext + " -j " + own);
          pick(nat, natChains, sp, own, external, host);
        }
      }
    }
    nat.add("-A BERTH-SERVICES -m addrtype --dst-type LOCAL -j BERTH-NODEPORTS");
    nat.addAll(nodePorts);

    StringBuilder b = new StringBuilder();
    table(b, "filter", filterChains, filter);
    table(b, "nat", natChains, nat);
    return b.toString();
  }

  /** kube-proxy's endpoint choice: probability 1/(n-i), affinity through {@code recent}. */
  private static void pick(
      List<String> nat,
      Set<String> chains,
      ServicePort sp,
      String chain,
      List<Endpoint> endpoints,
      String host) {
    int n = endpoints.size();
    List<String> seps = new ArrayList<>();
    for (Endpoint e : endpoints) {
      String sep = "BERTH-SEP-" + hash(sp, e);
      seps.add(sep);
      if (chains.add(sep)) {
        String a = Addresses.text(e.address());
        nat.add("-A " + sep + " -s " + a + host + " -j BERTH-MARK-MASQ");
        String recent =
            sp.affinity() instanceof SessionAffinity.ClientIp
                ? " -m recent --name " + sep + " --mask " + mask(host) + " --rsource --set"
                : "";
        String target =
            sp.family() == IpFamily.IPV4 ? a + ":" + e.port() : "[" + a + "]:" + e.port();
        nat.add(
            "-A "
                + sep
                + " -p "
                + sp.protocol().nftName()
                + " -m "
                + sp.protocol().nftName()
                + recent
                + " -j DNAT --to-destination "
                + target);
      }
    }
    if (sp.affinity() instanceof SessionAffinity.ClientIp(var timeout)) {
      for (String sep : seps) {
        nat.add(
            "-A "
                + chain
                + " -m recent --name "
                + sep
                + " --mask "
                + mask(host)
                + " --rsource --rcheck --seconds "
                + timeout.toSeconds()
                + " --reap -j "
                + sep);
      }
    }
    for (int i = 0; i < n; i++) {
      if (i < n - 1) {
        nat.add(
            String.format(
                Locale.ROOT,
                "-A %s -m statistic --mode random --probability %.10f -j %s",
                chain,
                1.0 / (n - i),
                seps.get(i)));
      } else {
        nat.add("-A " + chain + " -j " + seps.get(i));
      }
    }
  }

  private static String mask(String host) {
    return host.equals("/32") ? "255.255.255.255" : "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
  }

  private static void table(
      StringBuilder b, String name, Collection<String> chains, List<String> rules) {
    b.append('*').append(name).append('\n');
    for (String c : chains) {
      b.append(':').append(c).append(" - [0:0]\n");
    }
    for (String r : rules) {
      b.append(r).append('\n');
    }
    b.append("COMMIT\n");
  }

  /** kube-proxy's chain suffix: base32 of SHA-256 over the service port name and protocol. */
  private static String hash(ServicePort sp) {
    return digest(sp.name() + sp.protocol().nftName());
  }

  private static String hash(ServicePort sp, Endpoint e) {
    return digest(
        sp.name() + sp.protocol().nftName() + Addresses.text(e.address()) + ":" + e.port());
  }

  private static String digest(String s) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return base32(h).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  private static String base32(byte[] bytes) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    StringBuilder out = new StringBuilder();
    int buffer = 0;
    int bits = 0;
    for (byte x : bytes) {
      buffer = (buffer << 8) | (x & 0xff);
      bits += 8;
      while (bits >= 5) {
        out.append(alphabet.charAt((buffer >> (bits - 5)) & 31));
        bits -= 5;
      }
    }
    return out.toString();
  }
}
