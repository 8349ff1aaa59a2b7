package io.berth.netfilter.ipvs;

import io.berth.netfilter.NetfilterException;

/** The kernel rejected one IPVS command; the message names the command and the errno. */
public final class IpvsCommandFailedException extends NetfilterException {
  private final transient IpvsCommand command;
  private final int errno;

  public IpvsCommandFailedException(IpvsCommand command, int errno, String owner) {
    super(
        "IPVS "
            + command
            + (owner.isEmpty() ? "" : " (service " + owner + ")")
            + " failed: errno "
            + errno
            + GenlException.errnoName(errno));
    this.command = command;
    this.errno = errno;
  }

  public IpvsCommand command() {
    return command;
  }

  public int errno() {
    return errno;
  }
}
