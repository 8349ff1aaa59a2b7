package io.berth.netfilter.ipvs;

import io.berth.netfilter.NetfilterException;

/** A generic netlink request failed: the kernel answered a negative errno, or the socket failed. */
public final class GenlException extends NetfilterException {
  private final int errno;

  public GenlException(String what, int errno) {
    super(what + ": errno " + errno + errnoName(errno));
    this.errno = errno;
  }

  /** The positive errno (2 = ENOENT: e.g. no such generic netlink family). */
  public int errno() {
    return errno;
  }

  static String errnoName(int errno) {
    return switch (errno) {
      case 1 -> " (EPERM)";
      case 2 -> " (ENOENT)";
      case 3 -> " (ESRCH)";
      case 17 -> " (EEXIST)";
      case 22 -> " (EINVAL)";
      case 95 -> " (EOPNOTSUPP)";
      case 97 -> " (EAFNOSUPPORT)";
      default -> "";
    };
  }
}
