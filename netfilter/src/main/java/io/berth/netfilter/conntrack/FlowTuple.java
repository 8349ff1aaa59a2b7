package io.berth.netfilter.conntrack;

import io.berth.netfilter.model.Addresses;
import java.net.InetAddress;
import java.util.Objects;

/**
 * One direction of a conntrack entry: {@code src=… dst=… sport=… dport=…} as {@code conntrack -L}
 * prints it. Ports are 0 for protocols without ports (ICMP).
 */
public record FlowTuple(
    InetAddress source, InetAddress destination, int sourcePort, int destinationPort) {
  public FlowTuple {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(destination, "destination");
    if (source.getAddress().length != destination.getAddress().length) {
      throw new IllegalArgumentException(
          "mixed families in tuple: " + source + " -> " + destination);
    }
    checkPort(sourcePort);
    checkPort(destinationPort);
  }

  private static void checkPort(int port) {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }

  @Override
  public String toString() {
    return "src="
        + Addresses.text(source)
        + " dst="
        + Addresses.text(destination)
        + " sport="
        + sourcePort
        + " dport="
        + destinationPort;
  }
}
