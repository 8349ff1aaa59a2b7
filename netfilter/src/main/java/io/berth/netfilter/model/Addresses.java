package io.berth.netfilter.model;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** Address helpers: literal parsing without DNS, numeric ordering, nft text. */
public final class Addresses {
  private Addresses() {}

  /** Parses an IPv4 or IPv6 literal; never performs a DNS lookup. */
  public static InetAddress parse(String literal) {
    if (literal.isEmpty() || !(literal.contains(":") || literal.matches("[0-9.]+"))) {
      throw new IllegalArgumentException("not an IP literal: '" + literal + "'");
    }
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP literal: '" + literal + "'", e);
    }
  }

  /** Orders addresses numerically, IPv4 before IPv6. */
  public static int compare(InetAddress a, InetAddress b) {
    byte[] x = a.getAddress();
    byte[] y = b.getAddress();
    if (x.length != y.length) {
      return Integer.compare(x.length, y.length);
    }
    return Arrays.compareUnsigned(x, y);
  }

  /** The textual form nft accepts (no scope, no brackets). */
  public static String text(InetAddress address) {
    String s = address.getHostAddress();
    int pct = s.indexOf('%');
    return pct < 0 ? s : s.substring(0, pct);
  }
}
