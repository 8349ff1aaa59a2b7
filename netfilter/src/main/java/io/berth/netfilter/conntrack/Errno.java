package io.berth.netfilter.conntrack;

/** Names of the errno values ctnetlink and netlink sockets answer with (x86-64 Linux). */
final class Errno {
  static final int EPERM = 1;
  static final int ENOENT = 2;
  static final int EINTR = 4;
  static final int EAGAIN = 11;
  static final int EBUSY = 16;
  static final int EINVAL = 22;
  static final int ENOBUFS = 105;
  static final int EOPNOTSUPP = 95;
  static final int EPROTONOSUPPORT = 93;
  static final int EAFNOSUPPORT = 97;

  private Errno() {}

  static String name(int errno) {
    return switch (errno) {
      case EPERM -> "EPERM";
      case ENOENT -> "ENOENT";
      case EINTR -> "EINTR";
      case EAGAIN -> "EAGAIN/timeout";
      case EBUSY -> "EBUSY";
      case EINVAL -> "EINVAL";
      case ENOBUFS -> "ENOBUFS";
      case EOPNOTSUPP -> "EOPNOTSUPP";
      case EPROTONOSUPPORT -> "EPROTONOSUPPORT";
      case EAFNOSUPPORT -> "EAFNOSUPPORT";
      default -> "errno " + errno;
    };
  }
}
