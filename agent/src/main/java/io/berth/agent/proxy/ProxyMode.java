package io.berth.agent.proxy;

import java.util.Locale;

/** {@code --proxy-mode}: which data plane programs Service VIPs. */
public enum ProxyMode {
  /** nftables when libnftables loads and works here; otherwise none, with a warning. */
  AUTO,
  /** nftables or fail at start-up. */
  NFTABLES,
  /** no Service proxy: Services are not programmed. */
  NONE;

  /** Parses {@code auto}, {@code nftables} or {@code none}. */
  public static ProxyMode parse(String text) {
    for (ProxyMode m : values()) {
      if (m.flag().equals(text)) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "proxy mode must be auto, nftables or none, got '" + text + "'");
  }

  public String flag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
