package io.berth.agent.proxy;

import java.util.Locale;

/** {@code --proxy-mode}: which data plane programs Service VIPs. */
public enum ProxyMode {
  /**
   * nftables when libnftables loads and works here, else iptables when its tools work, else none
   * with a warning.
   */
  AUTO,
  /** nftables or fail at start-up. */
  NFTABLES,
  /** iptables (the detected flavour's restore tools) or fail at start-up. */
  IPTABLES,
  /**
   * IPVS: always refuses to start, saying why: the kernel has no ip_vs (IPVS detection's reason),
   * or it has, but berth's IPVS back end is incomplete (netlink encoding and diffing only; no
   * {@code kube-ipvs0} VIP binding, no ipset/iptables rules). {@code auto} never picks it.
   */
  IPVS,
  /** no Service proxy: Services are not programmed. */
  NONE;

  /** Parses {@code auto}, {@code nftables}, {@code iptables}, {@code ipvs} or {@code none}. */
  public static ProxyMode parse(String text) {
    for (ProxyMode m : values()) {
      if (m.flag().equals(text)) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "proxy mode must be auto, nftables, iptables, ipvs or none, got '" + text + "'");
  }

  public String flag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
