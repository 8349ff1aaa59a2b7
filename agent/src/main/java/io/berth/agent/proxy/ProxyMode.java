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
  /** no Service proxy: Services are not programmed. */
  NONE;

  /** Parses {@code auto}, {@code nftables}, {@code iptables} or {@code none}. */
  public static ProxyMode parse(String text) {
    for (ProxyMode m : values()) {
      if (m.flag().equals(text)) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "proxy mode must be auto, nftables, iptables or none, got '" + text + "'");
  }

  public String flag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
