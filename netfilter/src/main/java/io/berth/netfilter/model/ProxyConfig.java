package io.berth.netfilter.model;

import java.util.List;

/**
 * Node-wide proxy settings.
 *
 * @param masqueradeAll mark every service connection for SNAT (kube-proxy {@code --masquerade-all})
 * @param masqueradeMark the fwmark bit meaning "masquerade in postrouting" (kube-proxy: 0x4000)
 * @param clusterCidrs pod CIDRs; cluster-IP traffic from outside them is masqueraded. Empty: only
 *     external frontends and hairpin traffic are masqueraded
 */
public record ProxyConfig(boolean masqueradeAll, int masqueradeMark, List<Cidr> clusterCidrs) {
  public ProxyConfig {
    if (Integer.bitCount(masqueradeMark) != 1) {
      throw new IllegalArgumentException(
          "masquerade mark must be a single bit: 0x" + Integer.toHexString(masqueradeMark));
    }
    clusterCidrs = List.copyOf(clusterCidrs);
  }

  /** kube-proxy's defaults: mark bit 14, no masquerade-all, no cluster CIDR. */
  public static ProxyConfig defaults() {
    return new ProxyConfig(false, 0x4000, List.of());
  }

  public List<Cidr> clusterCidrs(IpFamily family) {
    return clusterCidrs.stream().filter(c -> c.family() == family).toList();
  }
}
