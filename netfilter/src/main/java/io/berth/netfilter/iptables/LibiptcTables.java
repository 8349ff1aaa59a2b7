package io.berth.netfilter.iptables;

import io.berth.netfilter.NetfilterException;
import io.berth.netfilter.RuleError;
import io.berth.netfilter.TransactionFailedException;
import io.berth.netfilter.internal.LibIptc;
import io.berth.netfilter.internal.Native;
import io.berth.netfilter.internal.NetworkNamespace;
import io.berth.netfilter.internal.OwnerThread;
import io.berth.netfilter.model.IpFamily;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jnr.ffi.Pointer;

/**
 * Writes {@link IptablesRenderer}'s ruleset into the legacy x_tables of one network namespace
 * through libiptc ({@code libip4tc.so.2} / {@code libip6tc.so.2}, jnr-ffi), without any child
 * process. One transaction per table: {@code iptc_init} reads the table, berth's chains are
 * flushed, created or deleted and refilled with {@link EntryEncoder}'s entries, missing jumps from
 * the built-in chains are inserted, and {@code iptc_commit} replaces the table atomically (the
 * kernel's {@code IPT_SO_SET_REPLACE}). Rules outside {@code BERTH-*} chains are carried over
 * untouched by libiptc, counters included.
 *
 * <p>Threading: one dedicated platform thread makes every libiptc call (libiptc keeps global error
 * state, and a handle's socket belongs to the namespace of the thread that opened it). With a
 * namespace path the thread enters it with {@code setns(2)} first.
 */
final class LibiptcTables implements TableWriter {
  static final List<String> TABLES = List.of("filter", "nat");
  private static final Pattern OWNER = Pattern.compile("--comment \"(\\S+) ");

  private final Callable<Map<IpFamily, LibIptc>> loader;
  private final NetworkNamespace namespaces;
  private final Optional<Path> netns;
  private final OwnerThread thread;

  /** Loaded and namespace entered on the libiptc thread by the first call; then fixed. */
  private Map<IpFamily, LibIptc> libs;

  /**
   * What to write into one table of one family.
   *
   * @param chains every berth chain the table must hold afterwards (others are deleted)
   * @param rewrite the chains to flush and refill with {@code rules}; the other declared chains
   *     keep what the kernel holds (an incremental sync, trusting the last one)
   * @param rules the rules of the {@code rewrite} chains, in rendered order
   * @param full rewrite every berth chain, whatever {@code rewrite} says
   */
  record TableInput(
      String table, Set<String> chains, Set<String> rewrite, List<Line> rules, boolean full) {}

  /** The rule lines of each chain, per table, as rendered: what an incremental sync compares. */
  static Map<String, Map<String, List<String>>> rulesByChain(String rendered) {
    Map<String, Map<String, List<String>>> out = new LinkedHashMap<>();
    Map<String, List<String>> current = null;
    for (String line : rendered.lines().toList()) {
      if (line.startsWith("*")) {
        current = new LinkedHashMap<>();
        out.put(line.substring(1), current);
      } else if (line.startsWith(":")) {
        current.put(line.substring(1, line.indexOf(' ')), new ArrayList<>());
      } else if (line.startsWith("-A ")) {
        current.get(chainOf(line)).add(line);
      }
    }
    return out;
  }

  private static String chainOf(String ruleLine) {
    int end = ruleLine.indexOf(' ', 3);
    return ruleLine.substring(3, end < 0 ? ruleLine.length() : end);
  }

  /** One rule line of the rendered text: its 1-based line number, text and encoded entry. */
  record Line(int number, String text, EntryEncoder.Encoded encoded) {}

  /**
   * @param loader loads libiptc for both families; called once, on the libiptc thread, at the first
   *     call (so a missing library is a {@link NetfilterException} of the first sync)
   * @param netns namespace to program; empty for the agent's own
   */
  LibiptcTables(
      Callable<Map<IpFamily, LibIptc>> loader, NetworkNamespace namespaces, Optional<Path> netns) {
    this.loader = loader;
    this.namespaces = namespaces;
    this.netns = netns;
    this.thread =
        new OwnerThread(
            "berth-libiptc" + netns.map(p -> "@" + p).orElse(""),
            c ->
                c instanceof UnsatisfiedLinkError
                    ? new NetfilterException(
                        "libiptc not available (libip4tc.so.2 / libip6tc.so.2 of the iptables"
                            + " package): "
                            + c.getMessage(),
                        c)
                    : null);
  }

  /** Both families' libiptc (loaded by the first call), writing into {@code netns}. */
  static LibiptcTables open(Optional<Path> netns) {
    return new LibiptcTables(
        () -> Map.of(IpFamily.IPV4, Native.loadIptc(false), IpFamily.IPV6, Native.loadIptc(true)),
        new NetworkNamespace(Native.loadLibC()),
        netns);
  }

  /** A full sync's input: every berth chain rewritten. */
  static List<TableInput> prepare(String rendered, IpFamily family)
      throws TransactionFailedException {
    return prepare(rendered, family, Optional.empty());
  }

  /**
   * Parses {@code rendered} ({@link IptablesRenderer#render} output) and encodes the rules of the
   * chains to rewrite: all of them without {@code previous}; with it (what the last successful sync
   * rendered, {@link #rulesByChain}) only the chains whose rule lines differ or that are new.
   * Nothing touches the kernel, so a rule berth cannot encode fails the sync before any table
   * changes.
   */
  static List<TableInput> prepare(
      String rendered, IpFamily family, Optional<Map<String, Map<String, List<String>>>> previous)
      throws TransactionFailedException {
    Map<String, Map<String, List<String>>> now = rulesByChain(rendered);
    Map<String, Set<String>> rewrite = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, List<String>>> t : now.entrySet()) {
      Map<String, List<String>> before =
          previous.map(p -> p.getOrDefault(t.getKey(), Map.of())).orElse(null);
      Set<String> changed = new LinkedHashSet<>();
      for (Map.Entry<String, List<String>> c : t.getValue().entrySet()) {
        if (before == null || !c.getValue().equals(before.get(c.getKey()))) {
          changed.add(c.getKey());
        }
      }
      rewrite.put(t.getKey(), changed);
    }
    Map<String, Set<String>> chains = new LinkedHashMap<>();
    Map<String, List<Line>> rules = new LinkedHashMap<>();
    List<RuleError> errors = new ArrayList<>();
    String table = null;
    int n = 0;
    for (String line : rendered.lines().toList()) {
      n++;
      if (line.startsWith("*")) {
        table = line.substring(1);
        chains.put(table, new LinkedHashSet<>());
        rules.put(table, new ArrayList<>());
      } else if (line.startsWith(":")) {
        chains.get(table).add(line.substring(1, line.indexOf(' ')));
      } else if (line.startsWith("-A ") && rewrite.get(table).contains(chainOf(line))) {
        try {
          rules.get(table).add(new Line(n, line, EntryEncoder.encode(line, family)));
        } catch (IllegalArgumentException e) {
          errors.add(new RuleError(n, line, owner(line), e.getMessage()));
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new TransactionFailedException(
          "encode " + family + " rules for libiptc", errors, errors.get(0).message());
    }
    List<TableInput> out = new ArrayList<>();
    for (String t : chains.keySet()) {
      out.add(new TableInput(t, chains.get(t), rewrite.get(t), rules.get(t), previous.isEmpty()));
    }
    return out;
  }

  /** The rules of {@link IptablesRenderer#jumps} for {@code table}, encoded for {@code family}. */
  static List<Line> jumps(String table, IpFamily family) {
    String prefix = "-t " + table + " ";
    List<Line> out = new ArrayList<>();
    for (String j : IptablesRenderer.jumps()) {
      if (j.startsWith(prefix)) {
        out.add(new Line(0, j, EntryEncoder.encode(j, family)));
      }
    }
    return out;
  }

  /**
   * Applies one family's prepared tables, each in its own libiptc transaction (filter, then nat; a
   * failure in nat leaves filter committed, as with iptables-restore).
   *
   * @return libiptc calls made (chains and rules written), for {@code SyncResult}
   */
  @Override
  public int apply(IpFamily family, List<TableInput> tables) throws NetfilterException {
    return call(
        "apply " + family,
        () -> {
          int ops = 0;
          for (TableInput t : tables) {
            ops += applyTable(family, t);
          }
          return ops;
        });
  }

  /** Checks that the family's legacy tables can be read (e.g. fails without IPv6 netfilter). */
  @Override
  public void probe(IpFamily family) throws NetfilterException {
    call(
        "probe " + family,
        () -> {
          LibIptc lib = libs.get(family);
          lib.free(open(family, lib, "filter"));
          return null;
        });
  }

  private int applyTable(IpFamily family, TableInput t) throws NetfilterException {
    LibIptc lib = libs.get(family);
    Pointer h = open(family, lib, t.table());
    try {
      // a set: the create/delete passes ask it once per chain (a list was O(n²): 6 s at 5k)
      Set<String> existing = new LinkedHashSet<>(berthChains(lib, h));
      int ops = 0;
      for (String c : existing) {
        if (t.full() || t.rewrite().contains(c) || !t.chains().contains(c)) {
          check(lib, lib.flushEntries(c, h), family, t.table(), "flush chain " + c, null);
        }
      }
      for (String c : t.chains()) {
        if (!existing.contains(c)) {
          if (!t.full() && !t.rewrite().contains(c)) {
            throw vanished(c, family, t.table(), where());
          }
          check(lib, lib.createChain(c, h), family, t.table(), "create chain " + c, null);
          ops++;
        }
      }
      for (String c : existing) {
        if (!t.chains().contains(c)) {
          check(lib, lib.deleteChain(c, h), family, t.table(), "delete chain " + c, null);
          ops++;
        }
      }
      for (Line r : t.rules()) {
        EntryEncoder.Encoded e = r.encoded();
        check(lib, lib.appendEntry(e.chain(), e.entry(), h), family, t.table(), "append", r);
        ops++;
      }
      List<Line> missing = new ArrayList<>();
      for (Line j : jumps(t.table(), family)) {
        String target = lastToken(j.text());
        if (!targets(lib, h, j.encoded().chain()).contains(target)) {
          missing.add(j);
        }
      }
      // inserting at position 0 prepends: go backwards so the jumps keep the rendered order
      for (int i = missing.size() - 1; i >= 0; i--) {
        Line j = missing.get(i);
        check(
            lib,
            lib.insertEntry(j.encoded().chain(), j.encoded().entry(), 0, h),
            family,
            t.table(),
            "insert jump",
            j);
        ops++;
      }
      check(lib, lib.commit(h), family, t.table(), "commit", null);
      return ops;
    } finally {
      lib.free(h);
    }
  }

  /**
   * Deletes berth's chains and every built-in-chain rule that jumps into them, in both tables.
   *
   * @return per table with something removed, e.g. {@code ip nat: 5 chains, 3 jumps}
   */
  @Override
  public List<String> removeAll(IpFamily family) throws NetfilterException {
    return call(
        "remove berth chains (" + family + ")",
        () -> {
          LibIptc lib = libs.get(family);
          List<String> removed = new ArrayList<>();
          for (String table : TABLES) {
            Pointer h = open(family, lib, table);
            try {
              List<String> chains = berthChains(lib, h);
              int jumps = 0;
              for (String chain : allChains(lib, h)) {
                if (lib.builtin(chain, h) == 0) {
                  continue;
                }
                List<String> targets = targets(lib, h, chain);
                // delete from the end so earlier rule numbers stay valid
                for (int i = targets.size() - 1; i >= 0; i--) {
                  if (targets.get(i).startsWith(SavedChains.PREFIX)) {
                    check(
                        lib,
                        lib.deleteNumEntry(chain, i, h),
                        family,
                        table,
                        "delete jump " + chain + " #" + (i + 1) + " → " + targets.get(i),
                        null);
                    jumps++;
                  }
                }
              }
              if (chains.isEmpty() && jumps == 0) {
                continue;
              }
              for (String c : chains) {
                check(lib, lib.flushEntries(c, h), family, table, "flush chain " + c, null);
              }
              for (String c : chains) {
                check(lib, lib.deleteChain(c, h), family, table, "delete chain " + c, null);
              }
              check(lib, lib.commit(h), family, table, "commit", null);
              removed.add(
                  family.nftFamily()
                      + " "
                      + table
                      + ": "
                      + chains.size()
                      + " chains, "
                      + jumps
                      + " jumps");
            } finally {
              lib.free(h);
            }
          }
          return removed;
        });
  }

  private Pointer open(IpFamily family, LibIptc lib, String table)
      throws TableUnavailableException {
    Pointer h = lib.init(table);
    if (h == null || h.address() == 0) {
      int errno = Native.errno(lib);
      throw new TableUnavailableException(
          "libiptc init of "
              + family
              + " table "
              + table
              + " failed in "
              + where()
              + ": "
              + lib.strerror(errno)
              + " (errno "
              + errno
              + ")");
    }
    return h;
  }

  private void check(LibIptc lib, int rc, IpFamily family, String table, String op, Line rule)
      throws TransactionFailedException {
    if (rc != 0) {
      return;
    }
    int errno = Native.errno(lib);
    String message = lib.strerror(errno) + " (errno " + errno + ")";
    String operation = "libiptc " + op + " in " + family + " table " + table + " (" + where() + ")";
    List<RuleError> errors =
        rule == null
            ? List.of()
            : List.of(new RuleError(rule.number(), rule.text(), owner(rule.text()), message));
    throw new TransactionFailedException(operation, errors, message);
  }

  private static List<String> allChains(LibIptc lib, Pointer h) {
    List<String> out = new ArrayList<>();
    for (String c = lib.firstChain(h); c != null; c = lib.nextChain(h)) {
      out.add(c);
    }
    return out;
  }

  private static List<String> berthChains(LibIptc lib, Pointer h) {
    return allChains(lib, h).stream().filter(c -> c.startsWith(SavedChains.PREFIX)).toList();
  }

  /** The target of each rule of {@code chain}, in order. */
  private static List<String> targets(LibIptc lib, Pointer h, String chain) {
    List<String> out = new ArrayList<>();
    for (Pointer e = lib.firstRule(chain, h);
        e != null && e.address() != 0;
        e = lib.nextRule(e, h)) {
      out.add(lib.getTarget(e, h));
    }
    return out;
  }

  private static String lastToken(String line) {
    return line.substring(line.lastIndexOf(' ') + 1);
  }

  static String owner(String line) {
    Matcher m = OWNER.matcher(line);
    return m.find() ? m.group(1) : "";
  }

  private String where() {
    return netns.map(p -> "network namespace " + p).orElse("the agent's network namespace");
  }

  private <T> T call(String what, Callable<T> task) throws NetfilterException {
    return thread.call(
        what,
        () -> {
          if (libs == null) {
            netns.ifPresent(namespaces::enter);
            libs = Map.copyOf(loader.call());
          }
          return task.call();
        });
  }

  /**
   * What the family's existing legacy tables hold ({@code tables}: the names listed in {@code
   * /proc/net/ip_tables_names}; a table not listed is not opened, since opening creates it).
   */
  RuleCount count(IpFamily family, List<String> tables) throws NetfilterException {
    return call(
        "count legacy iptables rules (" + family + ")",
        () -> {
          LibIptc lib = libs.get(family);
          int rules = 0;
          int kube = 0;
          boolean hint = false;
          for (String table : tables) {
            Pointer h = open(family, lib, table.strip());
            try {
              for (String chain : allChains(lib, h)) {
                hint |= RuleCount.hintChain(chain);
                for (String target : targets(lib, h, chain)) {
                  rules++;
                  if (RuleCount.kubeChain(chain) || RuleCount.kubeChain(target)) {
                    kube++;
                  }
                }
              }
            } finally {
              lib.free(h);
            }
          }
          return new RuleCount(rules, kube, hint);
        });
  }

  @Override
  public String describe() {
    return "iptables (legacy, in-process through libiptc, BERTH-* chains in filter and nat)";
  }

  @Override
  public void close() {
    thread.close();
  }

  /** Someone deleted a chain berth trusted to be unchanged: only a full sync can rebuild it. */
  static NetfilterException vanished(String chain, IpFamily family, String table, String where) {
    return new NetfilterException(
        "chain "
            + chain
            + " vanished from "
            + family
            + " table "
            + table
            + " since the last sync ("
            + where
            + "); a full sync follows");
  }

  /** A family's legacy table cannot be opened at all (e.g. no IPv6 netfilter on the host). */
  static final class TableUnavailableException extends NetfilterException {
    TableUnavailableException(String message) {
      super(message);
    }
  }
}
