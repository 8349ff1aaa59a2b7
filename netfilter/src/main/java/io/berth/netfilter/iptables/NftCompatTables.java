package io.berth.netfilter.iptables;

import io.berth.netfilter.NetfilterException;
import io.berth.netfilter.RuleError;
import io.berth.netfilter.TransactionFailedException;
import io.berth.netfilter.internal.LibC;
import io.berth.netfilter.internal.Native;
import io.berth.netfilter.internal.NetworkNamespace;
import io.berth.netfilter.internal.OwnerThread;
import io.berth.netfilter.model.IpFamily;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * Writes {@link IptablesRenderer}'s ruleset as <b>iptables-nft</b> does, without running it: the
 * tables {@code ip|ip6 filter|nat}, berth's chains and rules in nf_tables, each rule encoded by
 * {@link NftCompatEncoder} into the expressions iptables-nft uses (native payload/meta/cmp for
 * addresses, protocol, port and mark; xt compat {@code match}/{@code target} with the x_tables
 * structs for the rest). Everything goes over one {@code NETLINK_NETFILTER} socket (libc through
 * jnr-ffi; no libnftnl, no child process).
 *
 * <p>One sync of a family is <b>one nfnetlink batch</b> (BATCH_BEGIN … BATCH_END) covering both
 * tables: tables and missing chains created, berth's chains to rewrite flushed ({@code DELRULE}
 * without a handle) and refilled ({@code NEWRULE} append), missing jumps from the built-in chains
 * prepended (built-in chains created on demand with iptables' hooks and priorities), stale berth
 * chains deleted. The kernel applies the batch atomically: on any error nothing changes, and each
 * error comes back with the sequence number of the message that caused it, which names the rendered
 * rule line. Before the batch, berth's chains and the built-in chains' jumps are read back with
 * {@code GETCHAIN}/{@code GETRULE} dumps.
 *
 * <p>Threading: one owner thread makes every call; with a namespace path it enters it first and
 * opens the socket there.
 */
final class NftCompatTables implements TableWriter {
  private static final int NFPROTO_IPV4 = 2;
  private static final int NFPROTO_IPV6 = 10;
  private static final int NF_ACCEPT = 1;
  // NFTA_CHAIN_*, NFTA_HOOK_*, NFTA_TABLE_*
  private static final int CHAIN_TABLE = 1;
  private static final int CHAIN_NAME = 3;
  private static final int CHAIN_HOOK = 4;
  private static final int CHAIN_POLICY = 5;
  private static final int CHAIN_TYPE = 7;
  private static final int HOOK_HOOKNUM = 1;
  private static final int HOOK_PRIORITY = 2;
  private static final int TABLE_NAME = 1;

  /** A built-in chain as iptables-nft creates it: hook number, priority, chain type. */
  private record Builtin(int hook, int priority, String type) {}

  private static final Map<String, Map<String, Builtin>> BUILTINS =
      Map.of(
          "filter",
          Map.of(
              "INPUT", new Builtin(1, 0, "filter"),
              "FORWARD", new Builtin(2, 0, "filter"),
              "OUTPUT", new Builtin(3, 0, "filter")),
          "nat",
          Map.of(
              "PREROUTING", new Builtin(0, -100, "nat"),
              "INPUT", new Builtin(1, 100, "nat"),
              "OUTPUT", new Builtin(3, -100, "nat"),
              "POSTROUTING", new Builtin(4, 100, "nat")));

  private final LibC libc;
  private final NetworkNamespace namespaces;
  private final Optional<Path> netns;
  private final OwnerThread thread;
  private final NfnlSocket socket; // owner thread only
  private int seq = (int) (System.nanoTime() & 0x3FFF_FFFF); // owner thread only

  NftCompatTables(LibC libc, NetworkNamespace namespaces, Optional<Path> netns) {
    this.libc = libc;
    this.namespaces = namespaces;
    this.netns = netns;
    this.socket =
        new NfnlSocket(
            libc, netns.map(p -> "network namespace " + p).orElse("the agent's network namespace"));
    this.thread = new OwnerThread("berth-iptables-nft" + netns.map(p -> "@" + p).orElse(""));
  }

  /** Writes into {@code netns} (empty: the agent's own namespace). */
  static NftCompatTables open(Optional<Path> netns) {
    LibC libc = Native.loadLibC();
    return new NftCompatTables(libc, new NetworkNamespace(libc), netns);
  }

  @Override
  public void probe(IpFamily family) throws NetfilterException {
    call(
        "probe " + family,
        () -> {
          try {
            chains(family);
          } catch (NetfilterException e) {
            throw new LibiptcTables.TableUnavailableException(e.getMessage());
          }
          return null;
        });
  }

  @Override
  public int apply(IpFamily family, List<LibiptcTables.TableInput> tables)
      throws NetfilterException {
    return call("apply " + family, () -> applyOnOwner(family, tables));
  }

  /** What one batch message did, for error reports. */
  private record Op(String what, LibiptcTables.Line rule) {}

  private int applyOnOwner(IpFamily family, List<LibiptcTables.TableInput> tables)
      throws NetfilterException {
    Map<String, Map<String, Boolean>> have = chains(family);
    Batch b = new Batch(family);
    for (LibiptcTables.TableInput t : tables) {
      String table = t.table();
      Map<String, Boolean> existing = have.getOrDefault(table, Map.of());
      if (!have.containsKey(table)) {
        b.add(
                NfMessages.NFT_MSG_NEWTABLE,
                NfMessages.NLM_F_CREATE,
                new Op("add table " + table, null))
            .string(TABLE_NAME, table);
        b.end();
      }
      Set<String> berth = new LinkedHashSet<>();
      existing.keySet().stream().filter(c -> c.startsWith(SavedChains.PREFIX)).forEach(berth::add);
      for (String c : berth) {
        if (t.full() || t.rewrite().contains(c) || !t.chains().contains(c)) {
          flush(b, table, c);
        }
      }
      for (String c : t.chains()) {
        if (!berth.contains(c)) {
          if (!t.full() && !t.rewrite().contains(c)) {
            throw LibiptcTables.vanished(c, family, table, where());
          }
          b.add(
                  NfMessages.NFT_MSG_NEWCHAIN,
                  NfMessages.NLM_F_CREATE,
                  new Op("add chain " + c, null))
              .string(CHAIN_TABLE, table)
              .string(CHAIN_NAME, c);
          b.end();
        }
      }
      for (LibiptcTables.Line r : t.rules()) {
        rule(b, table, r, true);
      }
      List<LibiptcTables.Line> missing = new ArrayList<>();
      Map<String, List<String>> targets = new HashMap<>();
      for (LibiptcTables.Line j : LibiptcTables.jumps(table, family)) {
        String chain = j.encoded().chain();
        List<String> in =
            targets.computeIfAbsent(
                chain, c -> existing.containsKey(c) ? targetsOf(family, table, c) : List.of());
        if (!in.contains(lastToken(j.text()))) {
          missing.add(j);
        }
      }
      Set<String> created = new LinkedHashSet<>(existing.keySet());
      // a prepended rule goes first: go backwards so the jumps keep the rendered order
      for (int i = missing.size() - 1; i >= 0; i--) {
        LibiptcTables.Line j = missing.get(i);
        String chain = j.encoded().chain();
        if (created.add(chain)) {
          Builtin bi = BUILTINS.get(table).get(chain);
          b.add(
                  NfMessages.NFT_MSG_NEWCHAIN,
                  NfMessages.NLM_F_CREATE,
                  new Op("add built-in chain " + chain, null))
              .string(CHAIN_TABLE, table)
              .string(CHAIN_NAME, chain)
              .nest(CHAIN_HOOK)
              .u32(HOOK_HOOKNUM, bi.hook())
              .u32(HOOK_PRIORITY, bi.priority())
              .close()
              .u32(CHAIN_POLICY, NF_ACCEPT)
              .string(CHAIN_TYPE, bi.type());
          b.end();
        }
        rule(b, table, j, false);
      }
      for (String c : berth) {
        if (!t.chains().contains(c)) {
          deleteChain(b, table, c);
        }
      }
    }
    return b.commit();
  }

  @Override
  public List<String> removeAll(IpFamily family) throws NetfilterException {
    return call(
        "remove berth chains (" + family + ")",
        () -> {
          Map<String, Map<String, Boolean>> have = chains(family);
          Batch b = new Batch(family);
          List<String> removed = new ArrayList<>();
          for (String table : LibiptcTables.TABLES) {
            Map<String, Boolean> existing = have.getOrDefault(table, Map.of());
            int jumps = 0;
            for (Map.Entry<String, Boolean> c : existing.entrySet()) {
              if (!c.getValue()) {
                continue;
              }
              for (Map.Entry<Long, String> r : rulesOf(family, table, c.getKey()).entrySet()) {
                if (r.getValue().startsWith(SavedChains.PREFIX)) {
                  b.add(
                          NfMessages.NFT_MSG_DELRULE,
                          0,
                          new Op("delete jump " + c.getKey() + " → " + r.getValue(), null))
                      .string(NftCompatEncoder.RULE_TABLE, table)
                      .string(NftCompatEncoder.RULE_CHAIN, c.getKey())
                      .u64(NftCompatEncoder.RULE_HANDLE, r.getKey());
                  b.end();
                  jumps++;
                }
              }
            }
            List<String> berth =
                existing.keySet().stream().filter(c -> c.startsWith(SavedChains.PREFIX)).toList();
            berth.forEach(c -> flush(b, table, c));
            berth.forEach(c -> deleteChain(b, table, c));
            if (!berth.isEmpty() || jumps > 0) {
              removed.add(
                  family.nftFamily()
                      + " "
                      + table
                      + ": "
                      + berth.size()
                      + " chains, "
                      + jumps
                      + " jumps");
            }
          }
          if (!removed.isEmpty()) {
            b.commit();
          }
          return removed;
        });
  }

  /**
   * What iptables-nft holds in the family's iptables tables ({@code filter nat mangle raw
   * security}; berth's own {@code berth} table and other nft tables are not iptables'), from one
   * {@code GETCHAIN} and one {@code GETRULE} dump.
   */
  RuleCount count(IpFamily family) throws NetfilterException {
    return call(
        "count iptables-nft rules (" + family + ")",
        () -> {
          Set<String> tables = Set.of("filter", "nat", "mangle", "raw", "security");
          boolean hint = false;
          for (Map.Entry<String, Map<String, Boolean>> t : chains(family).entrySet()) {
            if (tables.contains(t.getKey())) {
              hint |= t.getValue().keySet().stream().anyMatch(RuleCount::hintChain);
            }
          }
          int rules = 0;
          int kube = 0;
          NfMessages req = dumpRequest(NfMessages.NFT_MSG_GETRULE, family);
          int s = seq - 1;
          req.end();
          for (ByteBuffer body : socket.dump(req.toBytes(), s, "list " + family + " rules")) {
            Map<Integer, ByteBuffer> a = NfnlSocket.attributes(body);
            if (!tables.contains(NfnlSocket.string(a.get(NftCompatEncoder.RULE_TABLE)))) {
              continue;
            }
            rules++;
            String chain = NfnlSocket.string(a.get(NftCompatEncoder.RULE_CHAIN));
            String target = jumpTarget(a.get(NftCompatEncoder.RULE_EXPRESSIONS));
            if (RuleCount.kubeChain(chain) || RuleCount.kubeChain(target)) {
              kube++;
            }
          }
          return new RuleCount(rules, kube, hint);
        });
  }

  @Override
  public String describe() {
    return "iptables (nft, in-process over nfnetlink as iptables-nft encodes it, BERTH-* chains in"
        + " filter and nat)";
  }

  @Override
  public void close() {
    thread.close(socket::close);
  }

  private static void flush(Batch b, String table, String chain) {
    b.add(NfMessages.NFT_MSG_DELRULE, 0, new Op("flush chain " + chain, null))
        .string(NftCompatEncoder.RULE_TABLE, table)
        .string(NftCompatEncoder.RULE_CHAIN, chain);
    b.end();
  }

  private static void deleteChain(Batch b, String table, String chain) {
    b.add(NfMessages.NFT_MSG_DELCHAIN, 0, new Op("delete chain " + chain, null))
        .string(CHAIN_TABLE, table)
        .string(CHAIN_NAME, chain);
    b.end();
  }

  private static void rule(Batch b, String table, LibiptcTables.Line r, boolean append) {
    EntryEncoder.Parsed p = EntryEncoder.parse(r.text(), b.family);
    NfMessages m =
        b.add(
                NfMessages.NFT_MSG_NEWRULE,
                NfMessages.NLM_F_CREATE | (append ? NfMessages.NLM_F_APPEND : 0),
                new Op(append ? "append rule" : "insert jump", r))
            .string(NftCompatEncoder.RULE_TABLE, table)
            .string(NftCompatEncoder.RULE_CHAIN, p.chain());
    NftCompatEncoder.write(p, m);
    b.end();
  }

  private static String lastToken(String line) {
    return line.substring(line.lastIndexOf(' ') + 1);
  }

  private static int nfproto(IpFamily family) {
    return family == IpFamily.IPV4 ? NFPROTO_IPV4 : NFPROTO_IPV6;
  }

  /** One nfnetlink batch of one family; {@link #commit} sends it and checks every answer. */
  private final class Batch {
    final IpFamily family;
    final NfMessages m = new NfMessages();
    final Map<Integer, Op> ops = new HashMap<>();
    final int begin;
    int last = -1;
    int lastStart = -1;

    Batch(IpFamily family) {
      this.family = family;
      this.begin = seq++;
      m.batchMark(NfMessages.NFNL_MSG_BATCH_BEGIN, begin);
    }

    NfMessages add(int msg, int flags, Op op) {
      int s = seq++;
      ops.put(s, op);
      lastStart = m.size();
      m.begin(NfMessages.nftType(msg), NfMessages.NLM_F_REQUEST | flags, nfproto(family), 0, s);
      last = s;
      return m;
    }

    void end() {
      m.end();
    }

    int commit() throws NetfilterException {
      if (last < 0) {
        return 0;
      }
      m.batchMark(NfMessages.NFNL_MSG_BATCH_END, seq++);
      byte[] bytes = m.toBytes();
      // only the last message asks for an ACK: errors are always answered, so its ACK (or the
      // batch's own error) ends the answers
      int flagsAt = lastStart + 6;
      ByteBuffer.wrap(bytes)
          .order(ByteOrder.nativeOrder())
          .putShort(
              flagsAt,
              (short)
                  (ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).getShort(flagsAt)
                      | NfMessages.NLM_F_ACK));
      String op = "nf_tables batch (" + family + ", " + where() + ")";
      socket.forceSendBuffer(bytes.length + 4096, op);
      socket.send(bytes, op);
      List<RuleError> errors = new ArrayList<>();
      String first = null;
      boolean done = false;
      while (!done) {
        for (NfnlSocket.Reply r : socket.receive(op)) {
          if (r.type() != NfMessages.NLMSG_ERROR) {
            continue;
          }
          if (r.error() == 0) {
            done |= r.seq() == last;
            continue;
          }
          String msg = Errnos.describe(-r.error());
          Op o = ops.get(r.seq());
          if (first == null) {
            first = (o == null ? "batch" : o.what()) + ": " + msg;
          }
          if (o != null && o.rule() != null) {
            errors.add(
                new RuleError(
                    o.rule().number(), o.rule().text(), LibiptcTables.owner(o.rule().text()), msg));
          } else {
            errors.add(new RuleError(0, o == null ? "commit" : o.what(), "", msg));
          }
          done |= r.seq() == last || r.seq() == begin;
        }
      }
      if (!errors.isEmpty()) {
        throw new TransactionFailedException(op, errors, first);
      }
      return ops.size();
    }
  }

  /** Chains per table of the family's nf_tables: name → is a base (built-in) chain. */
  private Map<String, Map<String, Boolean>> chains(IpFamily family) throws NetfilterException {
    int s = seq;
    NfMessages req = dumpRequest(NfMessages.NFT_MSG_GETCHAIN, family);
    req.end();
    Map<String, Map<String, Boolean>> out = new LinkedHashMap<>();
    for (ByteBuffer body : socket.dump(req.toBytes(), s, "list " + family + " chains")) {
      Map<Integer, ByteBuffer> a = NfnlSocket.attributes(body);
      if (a.containsKey(CHAIN_TABLE) && a.containsKey(CHAIN_NAME)) {
        out.computeIfAbsent(NfnlSocket.string(a.get(CHAIN_TABLE)), k -> new LinkedHashMap<>())
            .put(NfnlSocket.string(a.get(CHAIN_NAME)), a.containsKey(CHAIN_HOOK));
      }
    }
    return out;
  }

  /** A dump request's header for {@code msg}; the caller adds filters and ends it. */
  private NfMessages dumpRequest(int msg, IpFamily family) {
    NfMessages req = new NfMessages();
    req.begin(
        NfMessages.nftType(msg),
        NfMessages.NLM_F_REQUEST | NfMessages.NLM_F_DUMP,
        nfproto(family),
        0,
        seq++);
    return req;
  }

  /** The jump target of each rule of {@code chain} (empty string: no jump). */
  private List<String> targetsOf(IpFamily family, String table, String chain) {
    try {
      return List.copyOf(rulesOf(family, table, chain).values());
    } catch (NetfilterException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** Rule handle → jump target for each rule of one chain, in order. */
  private Map<Long, String> rulesOf(IpFamily family, String table, String chain)
      throws NetfilterException {
    int s = seq;
    NfMessages req = dumpRequest(NfMessages.NFT_MSG_GETRULE, family);
    req.string(NftCompatEncoder.RULE_TABLE, table).string(NftCompatEncoder.RULE_CHAIN, chain);
    req.end();
    Map<Long, String> out = new LinkedHashMap<>();
    for (ByteBuffer body : socket.dump(req.toBytes(), s, "list rules of " + table + " " + chain)) {
      Map<Integer, ByteBuffer> a = NfnlSocket.attributes(body);
      if (!a.containsKey(NftCompatEncoder.RULE_HANDLE)
          || !chain.equals(NfnlSocket.string(a.get(NftCompatEncoder.RULE_CHAIN)))
          || !table.equals(NfnlSocket.string(a.get(NftCompatEncoder.RULE_TABLE)))) {
        continue;
      }
      long handle = a.get(NftCompatEncoder.RULE_HANDLE).order(ByteOrder.BIG_ENDIAN).getLong(0);
      out.put(handle, jumpTarget(a.get(NftCompatEncoder.RULE_EXPRESSIONS)));
    }
    return out;
  }

  /** The chain an {@code immediate} jump/goto of the rule names, or "". */
  private static String jumpTarget(ByteBuffer expressions) {
    if (expressions == null) {
      return "";
    }
    for (ByteBuffer elem : NfnlSocket.list(expressions)) {
      Map<Integer, ByteBuffer> e = NfnlSocket.attributes(elem);
      if (!"immediate".equals(NfnlSocket.string(e.get(NftCompatEncoder.EXPR_NAME)))) {
        continue;
      }
      ByteBuffer data =
          NfnlSocket.attributes(e.get(NftCompatEncoder.EXPR_DATA))
              .get(NftCompatEncoder.IMMEDIATE_DATA);
      if (data == null) {
        continue;
      }
      ByteBuffer verdict = NfnlSocket.attributes(data).get(NftCompatEncoder.DATA_VERDICT);
      if (verdict == null) {
        continue;
      }
      ByteBuffer chain = NfnlSocket.attributes(verdict).get(NftCompatEncoder.VERDICT_CHAIN);
      if (chain != null) {
        return NfnlSocket.string(chain);
      }
    }
    return "";
  }

  private String where() {
    return netns.map(p -> "network namespace " + p).orElse("the agent's network namespace");
  }

  private <T> T call(String what, Callable<T> task) throws NetfilterException {
    return thread.call(
        what,
        () -> {
          if (!socket.isOpen()) {
            netns.ifPresent(namespaces::enter);
            socket.open();
          }
          return task.call();
        });
  }
}
