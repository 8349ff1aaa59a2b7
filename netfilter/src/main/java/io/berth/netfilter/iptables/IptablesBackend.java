package io.berth.netfilter.iptables;

import io.berth.netfilter.NetfilterBackend;
import io.berth.netfilter.NetfilterException;
import io.berth.netfilter.RuleError;
import io.berth.netfilter.SyncMode;
import io.berth.netfilter.SyncResult;
import io.berth.netfilter.TransactionFailedException;
import io.berth.netfilter.model.IpFamily;
import io.berth.netfilter.model.ServiceModel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The iptables data plane: {@link IptablesRenderer}'s kube-proxy-shaped ruleset, applied one of two
 * ways depending on the detected flavour:
 *
 * <ul>
 *   <li><b>legacy</b> (x_tables): in-process through libiptc ({@link LibiptcTables}, jnr-ffi), one
 *       {@code iptc_init … iptc_commit} transaction per table and family; no child process.
 *   <li><b>nft</b> (iptables-nft): with {@code iptables-nft-restore --noflush} as a child process,
 *       exactly as kube-proxy's iptables mode applies it. <em>Not FFI</em>: iptables-nft has no
 *       library; its rules are nftables expressions with xt compat matches that only the iptables
 *       binaries encode. berth's native nftables back end is the FFI path on such nodes.
 * </ul>
 *
 * Both paths: a FULL sync rewrites every berth chain, an INCREMENTAL one trusts what the last
 * successful sync applied (the libiptc path then rewrites only the chains whose rules changed). The
 * rest of this comment describes the restore path.
 *
 * <p>Every sync rewrites all of berth's chains (each one declared, hence flushed, then refilled),
 * deletes the {@code BERTH-*} chains that are no longer rendered, and inserts the jumps from the
 * built-in chains that are missing. Each table ({@code filter}, then {@code nat}) is committed
 * atomically by the tool; a failure in a later table leaves the earlier one applied (kube-proxy has
 * the same property), and the next sync is a full one that re-reads the tables. A full sync reads
 * berth's chains and jumps back with {@code iptables-save}; an incremental one trusts what the last
 * sync applied. Nothing outside {@code BERTH-*} chains and berth's own jump rules is ever written.
 *
 * <p>Thread safety: calls are serialized on this object.
 */
public final class IptablesBackend implements NetfilterBackend {
  private static final List<String> TABLES = List.of("filter", "nat");
  private static final Pattern FAILED_LINE = Pattern.compile("(?:line:? ?)(\\d+)");
  private static final Pattern OWNER = Pattern.compile("--comment \"(\\S+) ");

  private final IptablesCommands tools;
  private final LongSupplier nanos;

  /** What the last successful sync left, per family and table; empty: unknown (read it). */
  private final Map<IpFamily, Map<String, SavedChains>> applied = new EnumMap<>(IpFamily.class);

  /** Families whose tools failed at the last full read (skipped while no Service needs them). */
  private final java.util.Set<IpFamily> unavailable = java.util.EnumSet.noneOf(IpFamily.class);

  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(IptablesBackend.class);

  /** The in-process writer (libiptc or nfnetlink), or null: apply with the restore tools. */
  private final TableWriter ffi;

  /** Applies with the restore tools of {@code tools} (the nft flavour, or tests with fakes). */
  public IptablesBackend(IptablesCommands tools, LongSupplier nanos) {
    this(tools, null, nanos);
  }

  /** Exactly one of {@code tools} (restore tools) and {@code ffi} (in-process writer) is set. */
  private IptablesBackend(IptablesCommands tools, TableWriter ffi, LongSupplier nanos) {
    this.tools = tools;
    this.ffi = ffi;
    this.nanos = nanos;
  }

  /**
   * The back end for {@code flavour} in {@code netns} (empty: berth's own): legacy through libiptc
   * (FFI), nft through {@code iptables-nft-restore}.
   */
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
    return new IptablesBackend(null, NftCompatTables.open(netns), nanos);
  }

  /** The restore tools of {@code flavour} as child processes (the only way for nft). */
  public static IptablesBackend restoreTools(
      io.berth.netfilter.detect.IptablesMode.Flavour flavour, Optional<Path> netns) {
    return new IptablesBackend(
        new IptablesCommands(flavour, netns, IptablesCommands.processes()), System::nanoTime);
  }

  /**
   * Legacy x_tables through libiptc ({@code libip4tc.so.2}, {@code libip6tc.so.2}) in-process. The
   * libraries are loaded (and the namespace entered) by the first call; a missing library makes
   * that call fail with a {@link NetfilterException}.
   */
  public static IptablesBackend libiptc(Optional<Path> netns, LongSupplier nanos) {
    return new IptablesBackend(null, LibiptcTables.open(netns), nanos);
  }

  @Override
  public synchronized SyncResult sync(ServiceModel desired, SyncMode mode)
      throws NetfilterException {
    if (ffi != null) {
      return syncThroughLibiptc(desired, mode);
    }
    long start = nanos.getAsLong();
    boolean full = mode == SyncMode.FULL || applied.size() < IpFamily.values().length;
    Map<IpFamily, String> inputs = new EnumMap<>(IpFamily.class);
    Map<IpFamily, Map<String, SavedChains>> next = new EnumMap<>(IpFamily.class);
    int lines = 0;
    for (IpFamily family : IpFamily.values()) {
      boolean hasPorts = !desired.ports(family).isEmpty();
      Map<String, SavedChains> before;
      if (full) {
        try {
          before = read(family);
          unavailable.remove(family);
        } catch (NetfilterException e) {
          if (hasPorts) {
            throw e;
          }
          // e.g. a host without IPv6 netfilter: nothing of that family to program, keep going
          if (unavailable.add(family)) {
            log.warn(
                "{}; berth writes no {} rules while no Service needs them", e.getMessage(), family);
          }
          next.put(family, Map.of());
          continue;
        }
      } else if (unavailable.contains(family) && !hasPorts) {
        next.put(family, Map.of());
        continue;
      } else {
        before = applied.get(family);
      }
      String rendered = IptablesRenderer.render(desired, family);
      String input = withHousekeeping(rendered, before);
      inputs.put(family, input);
      next.put(family, afterwards(rendered));
      lines += (int) input.lines().count();
    }
    long rendered = nanos.getAsLong();
    for (IpFamily family : inputs.keySet()) {
      String input = inputs.get(family);
      IptablesCommands.Result r = tools.restore(family == IpFamily.IPV6, input);
      if (r.exit() != 0) {
        applied.clear();
        throw failed(tools.tool(family == IpFamily.IPV6, "restore"), input, r);
      }
    }
    applied.putAll(next);
    long done = nanos.getAsLong();
    return new SyncResult(
        full ? SyncMode.FULL : SyncMode.INCREMENTAL,
        lines,
        Duration.ofNanos(rendered - start),
        Duration.ofNanos(done - rendered));
  }

  /**
   * What the last successful libiptc sync rendered, per family: table → chain → rule lines. An
   * INCREMENTAL sync rewrites only the chains whose lines differ; empty after a failure.
   */
  private final Map<IpFamily, Map<String, Map<String, List<String>>>> appliedRules =
      new EnumMap<>(IpFamily.class);

  /**
   * One libiptc transaction per table and family. A FULL sync (asked for, the first, or the first
   * after a failure) flushes and refills every berth chain; an INCREMENTAL one only the chains
   * whose rendered rules changed since the last sync (plus new and stale chains), trusting the
   * kernel for the rest as the restore path does. Every rule to write is encoded before any table
   * is opened, so a rule berth cannot encode changes nothing. A family whose tables cannot be
   * opened (e.g. no IPv6 netfilter) is skipped with one warning while no service port of it exists.
   */
  private SyncResult syncThroughLibiptc(ServiceModel desired, SyncMode mode)
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

  /** berth's chains and jumps in each table of {@code family}, read back with iptables-save. */
  private Map<String, SavedChains> read(IpFamily family) throws NetfilterException {
    Map<String, SavedChains> out = new HashMap<>();
    for (String table : TABLES) {
      IptablesCommands.Result r = tools.save(family == IpFamily.IPV6, table);
      if (r.exit() != 0) {
        throw new NetfilterException(
            tools.tool(family == IpFamily.IPV6, "save")
                + " -t "
                + table
                + " failed (exit "
                + r.exit()
                + "): "
                + r.stderr().strip());
      }
      out.put(table, SavedChains.parse(r.stdout()));
    }
    return out;
  }

  /** What the tables hold once {@code rendered} is applied: its chains, every jump. */
  private static Map<String, SavedChains> afterwards(String rendered) {
    Map<String, SavedChains> out = new HashMap<>();
    Map<String, Set<String>> declared = SavedChains.declared(rendered);
    for (String table : TABLES) {
      out.put(table, new SavedChains(declared.getOrDefault(table, Set.of()), jumpsIn(table)));
    }
    return out;
  }

  /** The built-in chains' jumps into berth's chains, for {@code table}, in save syntax. */
  private static List<String> jumpsIn(String table) {
    String prefix = "-t " + table + " ";
    return IptablesRenderer.jumps().stream()
        .filter(j -> j.startsWith(prefix))
        .map(j -> j.substring(prefix.length()))
        .toList();
  }

  /**
   * {@code rendered} plus, per table: the chains berth had and no longer renders (declared, i.e.
   * flushed, then {@code -X}) and the jumps from built-in chains that are missing ({@code -I}).
   */
  static String withHousekeeping(String rendered, Map<String, SavedChains> before) {
    Map<String, Set<String>> declared = SavedChains.declared(rendered);
    StringBuilder out = new StringBuilder();
    String table = null;
    for (String line : rendered.lines().toList()) {
      if (line.startsWith("*")) {
        table = line.substring(1);
        out.append(line).append('\n');
        SavedChains had = before.getOrDefault(table, SavedChains.NONE);
        for (String stale : had.chains()) {
          if (!declared.get(table).contains(stale)) {
            out.append(':').append(stale).append(" - [0:0]\n");
          }
        }
        continue;
      }
      if (line.equals("COMMIT") && table != null) {
        SavedChains had = before.getOrDefault(table, SavedChains.NONE);
        List<String> missing = new ArrayList<>(jumpsIn(table));
        missing.removeAll(had.jumps());
        // -I prepends: insert in reverse so the jumps keep the rendered order
        for (int i = missing.size() - 1; i >= 0; i--) {
          out.append("-I").append(missing.get(i).substring(2)).append('\n');
        }
        for (String stale : had.chains()) {
          if (!declared.get(table).contains(stale)) {
            out.append("-X ").append(stale).append('\n');
          }
        }
      }
      out.append(line).append('\n');
    }
    return out.toString();
  }

  private static TransactionFailedException failed(
      String tool, String input, IptablesCommands.Result r) {
    List<String> inputLines = input.lines().toList();
    List<RuleError> errors = new ArrayList<>();
    Matcher m = FAILED_LINE.matcher(r.stderr());
    if (m.find()) {
      int line = Integer.parseInt(m.group(1));
      String text = line >= 1 && line <= inputLines.size() ? inputLines.get(line - 1) : "";
      Matcher owner = OWNER.matcher(text);
      errors.add(
          new RuleError(
              line,
              text,
              owner.find() ? owner.group(1) : "",
              r.stderr().lines().findFirst().orElse("").strip()));
    }
    return new TransactionFailedException(tool + " (exit " + r.exit() + ")", errors, r.stderr());
  }

  /**
   * Removes berth's chains and the jumps into them in both families and both tables, nothing else.
   *
   * @return what was removed, e.g. {@code ip nat: 5 chains, 3 jumps}; empty when nothing was there
   */
  public synchronized List<String> removeAll() throws NetfilterException {
    List<String> removed = new ArrayList<>();
    if (ffi != null) {
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
    for (IpFamily family : IpFamily.values()) {
      Map<String, SavedChains> have = read(family);
      StringBuilder input = new StringBuilder();
      for (String table : TABLES) {
        SavedChains s = have.get(table);
        if (s.chains().isEmpty() && s.jumps().isEmpty()) {
          continue;
        }
        input.append('*').append(table).append('\n');
        s.chains().forEach(c -> input.append(':').append(c).append(" - [0:0]\n"));
        s.jumps().forEach(j -> input.append("-D").append(j.substring(2)).append('\n'));
        s.chains().forEach(c -> input.append("-X ").append(c).append('\n'));
        input.append("COMMIT\n");
        removed.add(
            family.nftFamily()
                + " "
                + table
                + ": "
                + s.chains().size()
                + " chains, "
                + s.jumps().size()
                + " jumps");
      }
      if (!input.isEmpty()) {
        IptablesCommands.Result r = tools.restore(family == IpFamily.IPV6, input.toString());
        if (r.exit() != 0) {
          throw failed(tools.tool(family == IpFamily.IPV6, "restore"), input.toString(), r);
        }
      }
    }
    applied.clear();
    return removed;
  }

  @Override
  public void cleanup() throws NetfilterException {
    removeAll();
  }

  @Override
  public String describe() {
    if (ffi != null) {
      return ffi.describe();
    }
    return "iptables ("
        + tools.flavour().name().toLowerCase(java.util.Locale.ROOT)
        + ", "
        + tools.tool(false, "restore")
        + " --noflush, BERTH-* chains in filter and nat)";
  }

  @Override
  public void close() {
    if (ffi != null) {
      ffi.close();
    }
  }
}
