package io.berth.netfilter.iptables;

/** Names for the errno values nf_tables answers a batch with (x86-64 Linux). */
final class Errnos {
  private Errnos() {}

  /** E.g. {@code ENOENT (errno 2): no such table, chain or rule}. */
  static String describe(int errno) {
    String what =
        switch (errno) {
          case 1 -> "EPERM (errno 1): operation not permitted";
          case 2 -> "ENOENT (errno 2): no such table, chain, rule or extension";
          case 7 -> "E2BIG (errno 7): argument list too long";
          case 11 -> "EAGAIN (errno 11): timed out waiting for the kernel";
          case 12 -> "ENOMEM (errno 12): out of memory";
          case 16 -> "EBUSY (errno 16): chain or table in use";
          case 17 -> "EEXIST (errno 17): already exists";
          case 22 -> "EINVAL (errno 22): invalid argument";
          case 31 -> "EMLINK (errno 31): too many links (jump depth)";
          case 34 -> "ERANGE (errno 34): out of range";
          case 40 -> "ELOOP (errno 40): the jump creates a loop";
          case 90 -> "EMSGSIZE (errno 90): message too long";
          case 95 -> "EOPNOTSUPP (errno 95): operation not supported";
          case 105 -> "ENOBUFS (errno 105): no buffer space";
          default -> "errno " + errno;
        };
    return what;
  }
}
