package io.berth.agent;

import io.berth.netfilter.NetfilterException;
import io.berth.netfilter.detect.IptablesMode;
import io.berth.netfilter.internal.Native;
import io.berth.netfilter.internal.NetworkNamespace;
import io.berth.netfilter.iptables.IptablesBackend;
import io.berth.netfilter.nftables.NftablesBackend;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code berth cleanup}: kube-proxy's {@code --cleanup}. Deletes berth's own nftables tables
 * ({@code ip berth}, {@code ip6 berth}) and its iptables chains ({@code BERTH-*} in filter and nat,
 * with the jumps into them, both families, each installed flavour) in berth's network namespace and
 * touches nothing else; run it after stopping berth for good. Safe to repeat.
 */
final class CleanupCommand {
  private final PrintStream out;
  private final PrintStream err;

  CleanupCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /**
   * berth's {@code BERTH-*} chains and the jumps into them, in each iptables flavour, in-process
   * (legacy only where legacy tables exist already: opening one would create it). A flavour that
   * cannot be cleaned (no nf_tables, no libiptc, a kernel error) is named on stderr and makes the
   * command fail after the others were cleaned.
   */
  private List<String> iptablesChains(List<String> failures) {
    List<String> removed = new ArrayList<>();
    for (IptablesMode.Flavour flavour : IptablesMode.Flavour.values()) {
      if (flavour == IptablesMode.Flavour.LEGACY && !legacyTablesExist()) {
        continue;
      }
      String name = "iptables-" + flavour.name().toLowerCase(java.util.Locale.ROOT);
      try (IptablesBackend backend = IptablesBackend.of(flavour, Optional.empty())) {
        for (String r : backend.removeAll()) {
          removed.add(name + " " + r);
        }
      } catch (NetfilterException | RuntimeException e) {
        failures.add(name + " not cleaned: " + e.getMessage());
      }
    }
    return removed;
  }

  private static boolean legacyTablesExist() {
    try {
      return !Files.readString(Path.of("/proc/self/net/ip_tables_names")).isBlank()
          || !Files.readString(Path.of("/proc/self/net/ip6_tables_names")).isBlank();
    } catch (java.io.IOException e) {
      return false; // no x_tables in this kernel
    }
  }

  int run(CommandLine accepted) {
    try (NftablesBackend nf =
        new NftablesBackend(
            Native.loadNftables(),
            new NetworkNamespace(Native.loadLibC()),
            Optional.empty(),
            System::nanoTime)) {
      List<String> ours =
          nf.list("list tables")
              .lines()
              .map(String::strip)
              .filter(l -> l.equals("table ip berth") || l.equals("table ip6 berth"))
              .toList();
      nf.cleanup();
      List<String> removed = new ArrayList<>(ours);
      List<String> failures = new ArrayList<>();
      removed.addAll(iptablesChains(failures));
      if (removed.isEmpty()) {
        out.println("berth: no berth tables to remove");
      } else {
        out.println("berth: removed " + String.join(", ", removed));
      }
      failures.forEach(f -> err.println("berth: cleanup failed: " + f));
      return failures.isEmpty() ? 0 : 1;
    } catch (NetfilterException e) {
      err.println("berth: cleanup failed: " + e.getMessage());
      return 1;
    } catch (UnsatisfiedLinkError e) {
      err.println("berth: cleanup needs libnftables (libnftables1): " + e.getMessage());
      return 1;
    }
  }
}
