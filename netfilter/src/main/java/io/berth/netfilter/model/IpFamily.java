package io.berth.netfilter.model;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/** The IP family of a service port; berth keeps one nftables table per family. */
public enum IpFamily {
  IPV4("ip"),
  IPV6("ip6");

  private final String nftFamily;

  IpFamily(String nftFamily) {
    this.nftFamily = nftFamily;
  }

  /** The nftables table family and payload protocol keyword: {@code ip} or {@code ip6}. */
  public String nftFamily() {
    return nftFamily;
  }

  /** The family of an address. */
  public static IpFamily of(InetAddress address) {
    return switch (address) {
      case Inet4Address a -> IPV4;
      case Inet6Address a -> IPV6;
      default -> throw new IllegalArgumentException("not an IP address: " + address);
    };
  }
}
