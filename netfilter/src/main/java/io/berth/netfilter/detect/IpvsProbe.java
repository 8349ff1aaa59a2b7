package io.berth.netfilter.detect;

import io.berth.netfilter.internal.LibC;
import io.berth.netfilter.ipvs.GenlException;
import io.berth.netfilter.ipvs.GenlSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * Asks the kernel's generic netlink controller for the {@code IPVS} family ({@code
 * CTRL_CMD_GETFAMILY}, encoded by {@code IpvsMessages.getFamily}); ENOENT means the kernel has no
 * ip_vs. Also checks {@code /proc/net/ip_vs} of the calling thread's namespace.
 */
final class IpvsProbe {
  private final LibC libc;

  IpvsProbe(LibC libc) {
    this.libc = libc;
  }

  Availability probe() {
    boolean proc = Files.exists(Path.of("/proc/thread-self/net/ip_vs"));
    OptionalInt id;
    try (GenlSocket s = GenlSocket.open(libc)) {
      id = s.resolveFamily("IPVS");
    } catch (GenlException e) {
      return Availability.no(
          "IPVS not available: generic netlink lookup failed: " + e.getMessage());
    }
    if (id.isPresent()) {
      return Availability.yes(
          "generic netlink family IPVS found (id "
              + id.getAsInt()
              + ")"
              + (proc ? ", /proc/net/ip_vs present" : ""));
    }
    return Availability.no(
        "IPVS not available: kernel has no ip_vs (generic netlink family IPVS"
            + " not found"
            + (proc ? "" : ", /proc/net/ip_vs absent")
            + ")");
  }
}
