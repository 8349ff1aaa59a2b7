package io.berth.netfilter.model;

import java.net.InetAddress;

/** An address prefix such as a cluster (pod) CIDR. */
public record Cidr(InetAddress address, int prefixLength) {
  public Cidr {
    int max = address.getAddress().length * 8;
    if (prefixLength < 0 || prefixLength > max) {
      throw new IllegalArgumentException("bad prefix length " + prefixLength + " for " + address);
    }
  }

  /** Parses {@code 10.244.0.0/16} or {@code fd00::/64}. */
  public static Cidr parse(String text) {
    int slash = text.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("CIDR without prefix length: " + text);
    }
    return new Cidr(
        Addresses.parse(text.substring(0, slash)), Integer.parseInt(text.substring(slash + 1)));
  }

  /** Whether {@code a} is of this prefix's family and inside it. */
  public boolean contains(InetAddress a) {
    byte[] net = address.getAddress();
    byte[] ip = a.getAddress();
    if (net.length != ip.length) {
      return false;
    }
    for (int bit = 0; bit < prefixLength; bit++) {
      int mask = 0x80 >> (bit % 8);
      if ((net[bit / 8] & mask) != (ip[bit / 8] & mask)) {
        return false;
      }
    }
    return true;
  }

  public IpFamily family() {
    return IpFamily.of(address);
  }

  @Override
  public String toString() {
    return Addresses.text(address) + "/" + prefixLength;
  }
}
