package io.berth.netfilter.detect;

import io.berth.netfilter.NetfilterException;
import io.berth.netfilter.internal.LibC;
import io.berth.netfilter.internal.LibNftables;
import io.berth.netfilter.internal.NetworkNamespace;
import io.berth.netfilter.iptables.IptablesFlavours;
import io.berth.netfilter.iptables.RuleCount;
import io.berth.netfilter.nftables.NftOneShot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Detects at run time, inside a given network namespace, which netfilter back ends work, the way
 * kube-proxy does: nftables (libnftables loads and a probe transaction succeeds), the iptables
 * flavour in use ({@link IptablesMode#decide}: read from the kernel over nfnetlink and libiptc, no
 * iptables binary), and IPVS (generic netlink family {@code IPVS} and {@code /proc/net/ip_vs}).
 *
 * <p>Everything runs on a fresh platform thread that enters the namespace first, so the probes see
 * that namespace's tables. Detection never creates legacy tables: only tables already listed in
 * {@code /proc/net/ip_tables_names} are queried.
 */
public final class BackendDetector {
  private static final Logger log = LoggerFactory.getLogger(BackendDetector.class);

  private final Supplier<LibNftables> nftables;
  private final LibC libc;
  private final NetworkNamespace namespaces;

  /**
   * @param nftables loads libnftables; may throw {@link UnsatisfiedLinkError} when it is absent
   */
  public BackendDetector(Supplier<LibNftables> nftables, LibC libc, NetworkNamespace namespaces) {
    this.nftables = nftables;
    this.libc = libc;
    this.namespaces = namespaces;
  }

  /** Detects in {@code netns} (empty: the caller's namespace). */
  public Detection detect(Optional<Path> netns) throws NetfilterException {
    FutureTask<Detection> task =
        new FutureTask<>(
            () -> {
              netns.ifPresent(namespaces::enter);
              LibNftables lib = null;
              Availability nft;
              try {
                lib = nftables.get();
                NftOneShot.run(
                    lib,
                    "add table ip berth-probe\ndelete table ip berth-probe\n",
                    "nftables probe transaction");
                nft = Availability.yes(LibNftables.LIBRARY + " loaded, probe transaction applied");
              } catch (UnsatisfiedLinkError e) {
                nft = Availability.no("cannot load " + LibNftables.LIBRARY + ": " + e.getMessage());
              } catch (NetfilterException | RuntimeException e) {
                nft = Availability.no("probe transaction failed: " + e.getMessage());
              }
              // the iptables flavour is informational: a failure to count (e.g. no CAP_NET_ADMIN,
              // which also failed the nftables probe) must not hide what was found about nftables
              RuleCount nftRules = RuleCount.NONE;
              RuleCount legacyRules = RuleCount.NONE;
              try {
                nftRules = IptablesFlavours.nft(netns);
              } catch (NetfilterException | RuntimeException e) {
                log.warn("iptables-nft rules not counted: {}", e.getMessage());
              }
              try {
                legacyRules = IptablesFlavours.legacy(netns, legacyTableNames());
              } catch (NetfilterException | RuntimeException e) {
                log.warn("legacy iptables rules not counted: {}", e.getMessage());
              }
              IptablesMode mode = IptablesMode.decide(legacyRules, nftRules);
              Availability writer =
                  nft.available()
                      ? Availability.no("not probed: nftables works")
                      : IptablesFlavours.probe(mode.flavour(), netns);
              return new Detection(nft, mode, new IpvsProbe(libc).probe(), writer);
            });
    Thread t = new Thread(task, "berth-netfilter-detect");
    t.setDaemon(true);
    t.start();
    try {
      return task.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NetfilterException("back-end detection interrupted", e);
    } catch (ExecutionException e) {
      throw new NetfilterException(
          "back-end detection failed in " + netns + ": " + e.getCause(), e.getCause());
    }
  }

  /** Legacy tables that exist already in this thread's namespace. */
  private static List<String> legacyTableNames() {
    Path names = Path.of("/proc/thread-self/net/ip_tables_names");
    try {
      return Files.exists(names) ? Files.readAllLines(names) : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + names, e);
    }
  }
}
