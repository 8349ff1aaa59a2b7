package io.berth.netfilter.detect;

import io.berth.netfilter.internal.LibC;
import io.berth.netfilter.internal.Native;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Asks the kernel's generic netlink controller for the {@code IPVS} family ({@code
 * CTRL_CMD_GETFAMILY}); ENOENT means the kernel has no ip_vs. Also checks {@code /proc/net/ip_vs}
 * of the calling thread's namespace.
 */
final class IpvsProbe {
  private static final int AF_NETLINK = 16;
  private static final int SOCK_RAW = 3;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int NETLINK_GENERIC = 16;
  private static final short GENL_ID_CTRL = 0x10;
  private static final short NLMSG_ERROR = 2;
  private static final short NLM_F_REQUEST = 1;
  private static final byte CTRL_CMD_GETFAMILY = 3;
  private static final short CTRL_ATTR_FAMILY_NAME = 2;
  private static final int ENOENT = 2;

  private final LibC libc;

  IpvsProbe(LibC libc) {
    this.libc = libc;
  }

  Availability probe() {
    int answer = familyLookup("IPVS");
    boolean proc = Files.exists(Path.of("/proc/thread-self/net/ip_vs"));
    if (answer == 0) {
      return Availability.yes(
          "generic netlink family IPVS found" + (proc ? ", /proc/net/ip_vs present" : ""));
    }
    if (answer == -ENOENT) {
      return Availability.no(
          "IPVS not available: kernel has no ip_vs (generic netlink family IPVS"
              + " not found"
              + (proc ? "" : ", /proc/net/ip_vs absent")
              + ")");
    }
    return Availability.no(
        "IPVS not available: generic netlink lookup failed with error " + answer);
  }

  /** 0 when the family exists, else the negative errno the controller answered. */
  private int familyLookup(String family) {
    int fd = libc.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
    if (fd < 0) {
      throw new IllegalStateException("netlink socket: errno " + Native.errno(libc));
    }
    try {
      byte[] name = (family + "\0").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      int attrLen = 4 + name.length;
      int total = 16 + 4 + ((attrLen + 3) & ~3);
      ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.nativeOrder());
      b.putInt(total).putShort(GENL_ID_CTRL).putShort(NLM_F_REQUEST).putInt(1).putInt(0);
      b.put(CTRL_CMD_GETFAMILY).put((byte) 1).putShort((short) 0);
      b.putShort((short) attrLen).putShort(CTRL_ATTR_FAMILY_NAME).put(name);
      byte[] msg = b.array();
      if (libc.send(fd, msg, msg.length, 0) != msg.length) {
        throw new IllegalStateException("netlink send: errno " + Native.errno(libc));
      }
      byte[] reply = new byte[8192];
      long n = libc.recv(fd, reply, reply.length, 0);
      if (n < 20) {
        throw new IllegalStateException(
            "netlink recv: " + n + " bytes, errno " + Native.errno(libc));
      }
      ByteBuffer r = ByteBuffer.wrap(reply, 0, (int) n).order(ByteOrder.nativeOrder());
      short type = r.getShort(4);
      if (type == NLMSG_ERROR) {
        return r.getInt(16);
      }
      return type == GENL_ID_CTRL ? 0 : -1;
    } finally {
      libc.close(fd);
    }
  }
}
