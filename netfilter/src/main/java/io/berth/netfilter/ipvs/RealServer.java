package io.berth.netfilter.ipvs;

import io.berth.netfilter.model.Addresses;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * One IPVS destination (real server) of a virtual server: an endpoint {@code address:port},
 * forwarded by masquerading ({@link IpvsAbi#IP_VS_CONN_F_MASQ}, kube-proxy's only method) with a
 * weight (kube-proxy: 1; 0 drains it).
 *
 * @param forwardMethod {@code IP_VS_CONN_F_*} forwarding method ({@code conn_flags &
 *     IP_VS_CONN_F_FWD_MASK})
 * @param upperThreshold connection limit (0: none)
 * @param lowerThreshold 0: none
 */
public record RealServer(
    InetAddress address,
    int port,
    int forwardMethod,
    int weight,
    int upperThreshold,
    int lowerThreshold)
    implements Comparable<RealServer> {

  public RealServer {
    Objects.requireNonNull(address, "address");
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("real server port out of range: " + port);
    }
    if (weight < 0) {
      throw new IllegalArgumentException("real server weight must be >= 0: " + weight);
    }
  }

  /** A masqueraded destination of weight 1, as kube-proxy adds every endpoint. */
  public static RealServer masq(InetAddress address, int port) {
    return new RealServer(address, port, IpvsAbi.IP_VS_CONN_F_MASQ, 1, 0, 0);
  }

  /** Address and port: the kernel's identity of a destination within its virtual server. */
  public String endpoint() {
    String host = Addresses.text(address);
    return (address instanceof Inet6Address ? "[" + host + "]" : host) + ":" + port;
  }

  @Override
  public int compareTo(RealServer o) {
    int c = Addresses.compare(address, o.address);
    return c != 0 ? c : Integer.compare(port, o.port);
  }

  @Override
  public String toString() {
    return endpoint()
        + (forwardMethod == IpvsAbi.IP_VS_CONN_F_MASQ ? " masq" : " fwd " + forwardMethod)
        + " weight "
        + weight
        + (upperThreshold != 0 || lowerThreshold != 0
            ? " thresholds " + lowerThreshold + "-" + upperThreshold
            : "");
  }
}
