package io.berth.cri;

/** A sandbox port mapping; {@code hostPort} 0 means no host port. */
public record PortMapping(Protocol protocol, int containerPort, int hostPort, String hostIp) {
  /** Transport protocol of a port mapping. */
  public enum Protocol {
    TCP,
    UDP,
    SCTP
  }

  public PortMapping {
    protocol = protocol == null ? Protocol.TCP : protocol;
    hostIp = Copies.str(hostIp);
  }
}
