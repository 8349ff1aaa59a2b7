package io.berth.agent;

import io.berth.netfilter.NetfilterException;
import io.berth.netfilter.internal.Native;
import io.berth.netfilter.internal.NetworkNamespace;
import io.berth.netfilter.nftables.NftablesBackend;
import java.io.PrintStream;
import java.util.List;
import java.util.Optional;

/**
 * {@code berth cleanup}: kube-proxy's {@code --cleanup}. Deletes berth's own nftables tables
 * ({@code ip berth}, {@code ip6 berth}) in berth's network namespace and touches nothing else; run
 * it after stopping berth for good. Safe to repeat.
 */
final class CleanupCommand {
  private final PrintStream out;
  private final PrintStream err;

  CleanupCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
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
      if (ours.isEmpty()) {
        out.println("berth: no berth tables to remove");
      } else {
        out.println("berth: removed " + String.join(", ", ours));
      }
      return 0;
    } catch (NetfilterException e) {
      err.println("berth: cleanup failed: " + e.getMessage());
      return 1;
    } catch (UnsatisfiedLinkError e) {
      err.println("berth: cleanup needs libnftables (libnftables1): " + e.getMessage());
      return 1;
    }
  }
}
