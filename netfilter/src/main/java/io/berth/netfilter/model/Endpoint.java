package io.berth.netfilter.model;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * One endpoint of a service port, with the EndpointSlice conditions kube-proxy uses to pick
 * endpoints: {@code ready}, {@code serving}, {@code terminating}, whether it runs on this node, and
 * the zones its topology hints ({@code hints.forZones}) assign it to (empty: no hints).
 */
public record Endpoint(
    InetAddress address,
    int port,
    boolean ready,
    boolean serving,
    boolean terminating,
    boolean local,
    Set<String> zoneHints)
    implements Comparable<Endpoint> {

  /** Without topology hints. */
  public Endpoint(
      InetAddress address,
      int port,
      boolean ready,
      boolean serving,
      boolean terminating,
      boolean local) {
    this(address, port, ready, serving, terminating, local, Set.of());
  }

  public Endpoint {
    Objects.requireNonNull(address, "address");
    zoneHints = Set.copyOf(new TreeSet<>(zoneHints));
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException(
          "endpoint port out of range: " + address + " port " + port);
    }
  }

  /** A ready, serving, non-terminating endpoint. */
  public static Endpoint ready(InetAddress address, int port, boolean local) {
    return new Endpoint(address, port, true, true, false, local);
  }

  @Override
  public int compareTo(Endpoint o) {
    int c = Addresses.compare(address, o.address);
    return c != 0 ? c : Integer.compare(port, o.port);
  }
}
