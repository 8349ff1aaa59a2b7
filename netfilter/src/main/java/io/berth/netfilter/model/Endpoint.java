package io.berth.netfilter.model;

import java.net.InetAddress;
import java.util.Objects;

/**
 * One endpoint of a service port, with the EndpointSlice conditions kube-proxy uses to pick
 * endpoints: {@code ready}, {@code serving}, {@code terminating}, and whether it runs on this node.
 */
public record Endpoint(
    InetAddress address,
    int port,
    boolean ready,
    boolean serving,
    boolean terminating,
    boolean local)
    implements Comparable<Endpoint> {

  public Endpoint {
    Objects.requireNonNull(address, "address");
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
