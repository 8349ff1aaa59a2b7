package io.berth.netfilter.conntrack;

import io.berth.netfilter.model.Addresses;
import io.berth.netfilter.model.IpFamily;
import io.berth.netfilter.model.Protocol;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * Selects conntrack entries the way kube-proxy's conntrack filters do: by family and protocol, and
 * by any of original destination address, original destination port and reply source address (after
 * DNAT the reply comes from the endpoint, so {@code --reply-src} names the endpoint).
 *
 * <p>A filter must name at least one of the three: berth never flushes a whole protocol table.
 *
 * @param originalDestinationPort 0 matches any port
 */
public record FlowFilter(
    IpFamily family,
    Protocol protocol,
    Optional<InetAddress> originalDestination,
    int originalDestinationPort,
    Optional<InetAddress> replySource)
    implements Comparable<FlowFilter> {

  public FlowFilter {
    Objects.requireNonNull(family, "family");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(originalDestination, "originalDestination");
    Objects.requireNonNull(replySource, "replySource");
    if (originalDestinationPort < 0 || originalDestinationPort > 65_535) {
      throw new IllegalArgumentException("port out of range: " + originalDestinationPort);
    }
    originalDestination.ifPresent(a -> requireFamily(family, a, "original destination"));
    replySource.ifPresent(a -> requireFamily(family, a, "reply source"));
    if (originalDestination.isEmpty() && originalDestinationPort == 0 && replySource.isEmpty()) {
      throw new IllegalArgumentException(
          "a conntrack filter must name a destination, a port or a reply source ("
              + family
              + " "
              + protocol
              + ")");
    }
  }

  private static void requireFamily(IpFamily family, InetAddress a, String what) {
    if (IpFamily.of(a) != family) {
      throw new IllegalArgumentException(what + " " + Addresses.text(a) + " is not " + family);
    }
  }

  /** Flows to {@code ip:port} (kube-proxy: a service frontend). */
  public static FlowFilter toDestination(Protocol protocol, InetAddress ip, int port) {
    return new FlowFilter(
        IpFamily.of(ip), protocol, Optional.of(ip), requirePort(port), Optional.empty());
  }

  /** Flows to {@code serviceIp:servicePort} that were DNATed to {@code endpointIp}. */
  public static FlowFilter toDestinationViaEndpoint(
      Protocol protocol, InetAddress serviceIp, int servicePort, InetAddress endpointIp) {
    return new FlowFilter(
        IpFamily.of(serviceIp),
        protocol,
        Optional.of(serviceIp),
        requirePort(servicePort),
        Optional.of(endpointIp));
  }

  /** Flows to {@code port} on any local address (a node port). */
  public static FlowFilter toNodePort(IpFamily family, Protocol protocol, int nodePort) {
    return new FlowFilter(
        family, protocol, Optional.empty(), requirePort(nodePort), Optional.empty());
  }

  /** Flows to node port {@code port} that were DNATed to {@code endpointIp}. */
  public static FlowFilter toNodePortViaEndpoint(
      Protocol protocol, int nodePort, InetAddress endpointIp) {
    return new FlowFilter(
        IpFamily.of(endpointIp),
        protocol,
        Optional.empty(),
        requirePort(nodePort),
        Optional.of(endpointIp));
  }

  private static int requirePort(int port) {
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("port must be 1..65535: " + port);
    }
    return port;
  }

  /** Whether {@code e} is selected by this filter. */
  public boolean matches(ConntrackEntry e) {
    if (e.family() != family || e.protocolNumber() != protocolNumber(protocol)) {
      return false;
    }
    if (originalDestination.isPresent()
        && !sameAddress(originalDestination.get(), e.original().destination())) {
      return false;
    }
    if (originalDestinationPort != 0 && e.original().destinationPort() != originalDestinationPort) {
      return false;
    }
    return replySource.isEmpty() || sameAddress(replySource.get(), e.reply().source());
  }

  private static boolean sameAddress(InetAddress a, InetAddress b) {
    return Arrays.equals(a.getAddress(), b.getAddress());
  }

  /** The IANA protocol number. */
  public static int protocolNumber(Protocol protocol) {
    return switch (protocol) {
      case TCP -> 6;
      case UDP -> 17;
      case SCTP -> 132;
    };
  }

  /** Reads like the conntrack CLI: {@code ipv4 udp --orig-dst 10.96.0.10 --dport 53 …}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    sb.append(family.name().toLowerCase(java.util.Locale.ROOT)).append(' ');
    sb.append(protocol.nftName());
    originalDestination.ifPresent(a -> sb.append(" --orig-dst ").append(Addresses.text(a)));
    if (originalDestinationPort != 0) {
      sb.append(" --orig-port-dst ").append(originalDestinationPort);
    }
    replySource.ifPresent(a -> sb.append(" --reply-src ").append(Addresses.text(a)));
    return sb.toString();
  }

  @Override
  public int compareTo(FlowFilter o) {
    int c = family.compareTo(o.family);
    if (c == 0) {
      c = protocol.compareTo(o.protocol);
    }
    if (c == 0) {
      c = compareOptional(originalDestination, o.originalDestination);
    }
    if (c == 0) {
      c = Integer.compare(originalDestinationPort, o.originalDestinationPort);
    }
    return c != 0 ? c : compareOptional(replySource, o.replySource);
  }

  private static int compareOptional(Optional<InetAddress> a, Optional<InetAddress> b) {
    if (a.isEmpty() || b.isEmpty()) {
      return Boolean.compare(a.isPresent(), b.isPresent());
    }
    return Addresses.compare(a.get(), b.get());
  }
}
