package io.berth.netfilter.iptables;

import io.berth.netfilter.NetfilterBackend;
import io.berth.netfilter.NetfilterException;
import io.berth.netfilter.SyncMode;
import io.berth.netfilter.SyncResult;
import io.berth.netfilter.model.IpFamily;
import io.berth.netfilter.model.ServiceModel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The iptables data plane: {@link IptablesRenderer}'s kube-proxy-shaped ruleset, written in-process
 * into the flavour the node uses; no iptables binary runs:
 *
 * <ul>
 *   <li><b>legacy</b> (x_tables): through libiptc ({@link LibiptcTables}, jnr-ffi), one {@code
 *       iptc_init … iptc_commit} transaction per table and family;
 *   <li><b>nft</b> (iptables-nft): iptables-nft's own nf_tables representation over nfnetlink
 *       ({@link NftCompatTables}), one atomic batch per family for both tables.
 * </ul>
 *
 * A FULL sync rewrites every berth chain; an INCREMENTAL one only the chains whose rendered rules
 * changed since the last successful sync (plus new and stale chains), trusting the kernel for the
 * rest. Nothing outside {@code BERTH-*} chains and berth's own jump rules is ever written.
 *
 * <p>Thread safety: calls are serialized on this object.
 */
public final class IptablesBackend implements NetfilterBackend {
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(IptablesBackend.class);

  private final TableWriter ffi;
  private final LongSupplier nanos;

  /** Families whose tables cannot be used here (skipped while no Service needs them). */
  private final java.util.Set<IpFamily> unavailable = java.util.EnumSet.noneOf(IpFamily.class);

  private IptablesBackend(TableWriter ffi, LongSupplier nanos) {
    this.ffi = ffi;
    this.nanos = nanos;
  }

  /** The back end for {@code flavour} in {@code netns} (empty: berth's own). */
  public static IptablesBackend of(
      io.berth.netfilter.detect.IptablesMode.Flavour flavour, Optional<Path> netns) {
    return switch (flavour) {
      case LEGACY -> libiptc(netns, System::nanoTime);
      case NFT -> nftCompat(netns, System::nanoTime);
    };
  }

  /**
   * iptables-nft's representation written in-process over nfnetlink ({@link NftCompatTables}): the
   * same tables, chains and expressions {@code iptables-nft-restore} would write, no child process.
   */
  public static IptablesBackend nftCompat(Optional<Path> netns, LongSupplier nanos) {
    return new IptablesBackend(NftCompatTables.open(netns), nanos);
  }

  /**
   * Legacy x_tables through libiptc ({@code libip4tc.so.2}, {@code libip6tc.so.2}) in-process. The
   * libraries are loaded (and the namespace entered) by the first call; a missing library makes
   * that call fail with a {@link NetfilterException}.
   */
  public static IptablesBackend libiptc(Optional<Path> netns, LongSupplier nanos) {
    return new IptablesBackend(LibiptcTables.open(netns), nanos);
  }

  /**
   * What the last successful libiptc sync rendered, per family: table → chain → rule lines. An
   * INCREMENTAL sync rewrites only the chains whose lines differ; empty after a failure.
   */
  private final Map<IpFamily, Map<String, Map<String, List<String>>>> appliedRules =
      new EnumMap<>(IpFamily.class);

  /**
   * One transaction per family (libiptc: one per table; nfnetlink: one batch). A FULL sync (asked
   * for, the first, or the first after a failure) flushes and refills every berth chain; an
   * INCREMENTAL one only the chains whose rendered rules changed since the last sync (plus new and
   * stale chains), trusting the kernel for the rest. Every rule to write is encoded before any
   * table is opened, so a rule berth cannot encode changes nothing. A family whose tables cannot be
   * opened (e.g. no IPv6 netfilter) is skipped with one warning while no service port of it exists.
   */
  @Override
  public synchronized SyncResult sync(ServiceModel desired, SyncMode mode)
      throws NetfilterException {
    long start = nanos.getAsLong();
    Map<IpFamily, List<LibiptcTables.TableInput>> inputs = new EnumMap<>(IpFamily.class);
    Map<IpFamily, Map<String, Map<String, List<String>>>> next = new EnumMap<>(IpFamily.class);
    boolean full = mode == SyncMode.FULL;
    for (IpFamily family : IpFamily.values()) {
      if (desired.ports(family).isEmpty()) {
        try {
          ffi.probe(family);
          unavailable.remove(family);
        } catch (LibiptcTables.TableUnavailableException e) {
          if (unavailable.add(family)) {
            log.warn(
                "{}; berth writes no {} rules while no Service needs them", e.getMessage(), family);
          }
          continue;
        }
      }
      full |= !appliedRules.containsKey(family);
    }
    for (IpFamily family : IpFamily.values()) {
      if (unavailable.contains(family) && desired.ports(family).isEmpty()) {
        continue;
      }
      String rendered = IptablesRenderer.render(desired, family);
      next.put(family, LibiptcTables.rulesByChain(rendered));
      inputs.put(
          family,
          LibiptcTables.prepare(
              rendered, family, full ? Optional.empty() : Optional.of(appliedRules.get(family))));
    }
    long rendered = nanos.getAsLong();
    int ops = 0;
    try {
      for (Map.Entry<IpFamily, List<LibiptcTables.TableInput>> e : inputs.entrySet()) {
        ops += ffi.apply(e.getKey(), e.getValue());
      }
    } catch (NetfilterException | RuntimeException e) {
      appliedRules.clear();
      throw e;
    }
    appliedRules.clear();
    appliedRules.putAll(next);
    long done = nanos.getAsLong();
    return new SyncResult(
        full ? SyncMode.FULL : SyncMode.INCREMENTAL,
        ops,
        Duration.ofNanos(rendered - start),
        Duration.ofNanos(done - rendered));
  }

  /**
   * Removes berth's chains and the jumps into them in both families and both tables, nothing else.
   *
   * @return what was removed, e.g. {@code ip nat: 5 chains, 3 jumps}; empty when nothing was there
   */
  public synchronized List<String> removeAll() throws NetfilterException {
    List<String> removed = new ArrayList<>();
    appliedRules.clear();
    for (IpFamily family : IpFamily.values()) {
      try {
        removed.addAll(ffi.removeAll(family));
      } catch (LibiptcTables.TableUnavailableException e) {
        log.warn("{}; nothing of berth's to remove there", e.getMessage());
      }
    }
    return removed;
  }

  @Override
  public void cleanup() throws NetfilterException {
    removeAll();
  }

  @Override
  public String describe() {
    return ffi.describe();
  }

  @Override
  public void close() {
    ffi.close();
  }
}
