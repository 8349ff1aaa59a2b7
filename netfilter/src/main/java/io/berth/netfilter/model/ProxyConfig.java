package io.berth.netfilter.model;

import java.util.List;

/**
 * Node-wide proxy settings.
 *
 * @param masqueradeAll mark every service connection for SNAT (kube-proxy {@code --masquerade-all})
 * @param masqueradeMark the fwmark bit meaning "masquerade in postrouting" (kube-proxy: 0x4000)
 * @param clusterCidrs pod CIDRs; cluster-IP traffic from outside them is masqueraded. Empty: only
 *     external frontends and hairpin traffic are masqueraded
 * @param nodePortAddresses the node's addresses that accept node-port traffic (kube-proxy {@code
 *     --nodeport-addresses}): a local destination address must fall in one of the family's CIDRs.
 *     No CIDR of a family: every local address of that family except loopback (kube-proxy's
 *     zero-CIDR default)
 * @param nodeZone this node's {@code topology.kubernetes.io/zone} label ("" for none): endpoints'
 *     zone hints are matched against it ({@link EndpointSelection})
 */
public record ProxyConfig(
    boolean masqueradeAll,
    int masqueradeMark,
    List<Cidr> clusterCidrs,
    List<Cidr> nodePortAddresses,
    String nodeZone) {
  /** A node without a zone. */
  public ProxyConfig(
      boolean masqueradeAll,
      int masqueradeMark,
      List<Cidr> clusterCidrs,
      List<Cidr> nodePortAddresses) {
    this(masqueradeAll, masqueradeMark, clusterCidrs, nodePortAddresses, "");
  }

  public ProxyConfig {
    nodeZone = nodeZone == null ? "" : nodeZone;
    if (Integer.bitCount(masqueradeMark) != 1) {
      throw new IllegalArgumentException(
          "masquerade mark must be a single bit: 0x" + Integer.toHexString(masqueradeMark));
    }
    clusterCidrs = List.copyOf(clusterCidrs);
    nodePortAddresses = List.copyOf(nodePortAddresses);
  }

  /** Node ports on every local address. */
  public ProxyConfig(boolean masqueradeAll, int masqueradeMark, List<Cidr> clusterCidrs) {
    this(masqueradeAll, masqueradeMark, clusterCidrs, List.of());
  }

  /** kube-proxy's defaults: mark bit 14, no masquerade-all, no cluster CIDR. */
  public static ProxyConfig defaults() {
    return new ProxyConfig(false, 0x4000, List.of(), List.of());
  }

  /** These settings on a node in {@code zone}. */
  public ProxyConfig withNodeZone(String zone) {
    return new ProxyConfig(masqueradeAll, masqueradeMark, clusterCidrs, nodePortAddresses, zone);
  }

  public List<Cidr> clusterCidrs(IpFamily family) {
    return clusterCidrs.stream().filter(c -> c.family() == family).toList();
  }

  public List<Cidr> nodePortAddresses(IpFamily family) {
    return nodePortAddresses.stream().filter(c -> c.family() == family).toList();
  }
}
