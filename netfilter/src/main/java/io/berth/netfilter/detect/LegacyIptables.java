package io.berth.netfilter.detect;

import io.berth.netfilter.internal.LibC;
import io.berth.netfilter.internal.Native;
import java.nio.charset.StandardCharsets;
import java.util.List;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.byref.IntByReference;

/**
 * Counts rules in legacy x_tables with {@code getsockopt(IPT_SO_GET_INFO)} (what libiptc does):
 * {@code struct ipt_getinfo} is 84 bytes, {@code num_entries} at offset 76. A table with no user
 * rules holds one entry per built-in chain plus the terminating error entry.
 */
final class LegacyIptables {
  private static final int AF_INET = 2;
  private static final int SOCK_RAW = 3;
  private static final int IPPROTO_RAW = 255;
  private static final int SOL_IP = 0;
  private static final int IPT_SO_GET_INFO = 64;
  private static final int GETINFO_SIZE = 84;

  private final LibC libc;

  LegacyIptables(LibC libc) {
    this.libc = libc;
  }

  /** User entries over the built-in baseline, summed over {@code tables}. */
  int userEntries(List<String> tables) {
    if (tables.isEmpty()) {
      return 0;
    }
    int fd = libc.socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
    if (fd < 0) {
      throw new IllegalStateException("raw socket for iptables info: errno " + Native.errno(libc));
    }
    try {
      int total = 0;
      for (String table : tables) {
        Pointer info = Memory.allocateDirect(Runtime.getRuntime(libc), GETINFO_SIZE);
        byte[] name = table.strip().getBytes(StandardCharsets.US_ASCII);
        info.put(0, name, 0, Math.min(name.length, 31));
        IntByReference len = new IntByReference(GETINFO_SIZE);
        if (libc.getsockopt(fd, SOL_IP, IPT_SO_GET_INFO, info, len) != 0) {
          throw new IllegalStateException(
              "getsockopt(IPT_SO_GET_INFO, " + table + "): errno " + Native.errno(libc));
        }
        int hooks = Integer.bitCount(info.getInt(32));
        int entries = info.getInt(76);
        total += Math.max(0, entries - hooks - 1);
      }
      return total;
    } finally {
      libc.close(fd);
    }
  }
}
