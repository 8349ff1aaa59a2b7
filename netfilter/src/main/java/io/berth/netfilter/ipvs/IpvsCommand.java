package io.berth.netfilter.ipvs;

/**
 * One IPVS change, as {@link IpvsBackend} plans it and {@link IpvsMessages#encode} turns it into
 * one generic netlink request. {@link #toString()} is the line golden tests compare.
 */
public sealed interface IpvsCommand {

  /** {@code IPVS_CMD_NEW_SERVICE}. */
  record NewService(VirtualServer service) implements IpvsCommand {
    @Override
    public String toString() {
      return "new-service " + service;
    }
  }

  /** {@code IPVS_CMD_SET_SERVICE}: scheduler, flags, timeout or netmask changed. */
  record SetService(VirtualServer service) implements IpvsCommand {
    @Override
    public String toString() {
      return "set-service " + service;
    }
  }

  /** {@code IPVS_CMD_DEL_SERVICE}: the kernel drops its destinations with it. */
  record DelService(VirtualServer.Key service) implements IpvsCommand {
    @Override
    public String toString() {
      return "del-service " + service;
    }
  }

  /** {@code IPVS_CMD_NEW_DEST}. */
  record NewDest(VirtualServer.Key service, RealServer dest) implements IpvsCommand {
    @Override
    public String toString() {
      return "new-dest " + service + " -> " + dest;
    }
  }

  /** {@code IPVS_CMD_SET_DEST}: weight, forwarding method or thresholds changed. */
  record SetDest(VirtualServer.Key service, RealServer dest) implements IpvsCommand {
    @Override
    public String toString() {
      return "set-dest " + service + " -> " + dest;
    }
  }

  /** {@code IPVS_CMD_DEL_DEST}. */
  record DelDest(VirtualServer.Key service, RealServer dest) implements IpvsCommand {
    @Override
    public String toString() {
      return "del-dest " + service + " -> " + dest.endpoint();
    }
  }

  /** {@code IPVS_CMD_FLUSH}: every virtual server of the namespace (kube-proxy's cleanup). */
  record Flush() implements IpvsCommand {
    @Override
    public String toString() {
      return "flush";
    }
  }
}
