package io.berth.netfilter.ipvs;

import io.berth.netfilter.model.Addresses;
import io.berth.netfilter.model.IpFamily;
import io.berth.netfilter.model.Protocol;
import java.net.InetAddress;
import java.util.Objects;

/**
 * One IPVS virtual service as kube-proxy programs it: {@code protocol address:port}, a scheduler,
 * and persistence for ClientIP affinity ({@link IpvsAbi#IP_VS_SVC_F_PERSISTENT} with the affinity
 * timeout; netmask {@code 0xffffffff} for IPv4, prefix length 128 for IPv6, as kube-proxy sets it).
 *
 * @param flags user-settable service flags ({@code IP_VS_SVC_F_*}, without the kernel-internal
 *     {@code IP_VS_SVC_F_HASHED})
 * @param timeoutSeconds persistence timeout (0 without persistence)
 */
public record VirtualServer(
    Protocol protocol,
    InetAddress address,
    int port,
    String scheduler,
    int flags,
    int timeoutSeconds,
    int netmask) {

  /** kube-proxy's default {@code --ipvs-scheduler}: round robin. */
  public static final String ROUND_ROBIN = "rr";

  public VirtualServer {
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(scheduler, "scheduler");
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("virtual server port out of range: " + port);
    }
    if (scheduler.isEmpty() || scheduler.length() >= IpvsAbi.IP_VS_SCHEDNAME_MAXLEN) {
      throw new IllegalArgumentException(
          "IPVS scheduler name must have 1 to "
              + (IpvsAbi.IP_VS_SCHEDNAME_MAXLEN - 1)
              + " characters: '"
              + scheduler
              + "'");
    }
  }

  /** A round-robin virtual server without persistence. */
  public static VirtualServer of(Protocol protocol, InetAddress address, int port) {
    return new VirtualServer(
        protocol, address, port, ROUND_ROBIN, 0, 0, fullNetmask(IpFamily.of(address)));
  }

  /** This virtual server with ClientIP persistence of {@code seconds}. */
  public VirtualServer persistent(int seconds) {
    return new VirtualServer(
        protocol,
        address,
        port,
        scheduler,
        flags | IpvsAbi.IP_VS_SVC_F_PERSISTENT,
        seconds,
        netmask);
  }

  /** kube-proxy's persistence netmask: one client address. */
  static int fullNetmask(IpFamily family) {
    return family == IpFamily.IPV4 ? 0xFFFF_FFFF : 128;
  }

  public IpFamily family() {
    return IpFamily.of(address);
  }

  /** What identifies the virtual server in the kernel. */
  public Key key() {
    return new Key(protocol, address, port);
  }

  /** The kernel's identity of a virtual service: protocol, address, port. */
  public record Key(Protocol protocol, InetAddress address, int port) implements Comparable<Key> {
    @Override
    public int compareTo(Key o) {
      int c = Addresses.compare(address, o.address);
      if (c != 0) {
        return c;
      }
      c = protocol.compareTo(o.protocol);
      return c != 0 ? c : Integer.compare(port, o.port);
    }

    @Override
    public String toString() {
      String host = Addresses.text(address);
      return protocol.nftName()
          + " "
          + (address instanceof java.net.Inet6Address ? "[" + host + "]" : host)
          + ":"
          + port;
    }
  }

  @Override
  public String toString() {
    return key()
        + " "
        + scheduler
        + ((flags & IpvsAbi.IP_VS_SVC_F_PERSISTENT) != 0
            ? " persistent " + timeoutSeconds + "s"
            : "")
        + ((flags & ~IpvsAbi.IP_VS_SVC_F_PERSISTENT) != 0
            ? " flags 0x" + Integer.toHexString(flags)
            : "");
  }
}
