package io.berth.netfilter.nftables;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * Writes berth tables as nft command text: a full replacement, or the minimal diff between two
 * versions. Output order is deterministic (tables, then chains, sets, rules and elements by name).
 *
 * <p>The diff is what makes endpoint changes cheap: when only set/map elements differ (the common
 * case: an endpoint appears or goes away) the transaction is {@code delete element}/{@code add
 * element} commands only, which at 10k services cost well under a millisecond, because berth's
 * tables hold a handful of chains whatever the number of services.
 */
public final class NftScript {
  private NftScript() {}

  /** Replaces each table wholesale ({@code add table; delete table; add ...}) in one batch. */
  public static Transaction full(List<NftTable> tables) {
    Transaction.Builder b = new Transaction.Builder();
    for (NftTable t : tables) {
      String q = t.qualifiedName();
      b.line("add table " + q);
      b.line("delete table " + q);
      b.line("add table " + q);
      for (NftChain c : t.chains().values()) {
        addChain(b, q, c);
      }
      for (NftSet s : t.sets().values()) {
        addSet(b, q, s);
      }
      for (NftChain c : t.chains().values()) {
        addRules(b, q, c);
      }
      for (NftSet s : t.sets().values()) {
        addElements(b, q, s.name(), s.elements());
      }
    }
    return b.build();
  }

  /** Removes the tables (and nothing else); succeeds whether or not they exist. */
  public static Transaction delete(List<NftTable> tables) {
    Transaction.Builder b = new Transaction.Builder();
    for (NftTable t : tables) {
      b.line("add table " + t.qualifiedName());
      b.line("delete table " + t.qualifiedName());
    }
    return b.build();
  }

  /**
   * The commands that turn {@code previous} into {@code current}. Tables are matched by family and
   * name; both lists must hold the same tables in the same order.
   */
  public static Transaction diff(List<NftTable> previous, List<NftTable> current) {
    if (previous.size() != current.size()) {
      throw new IllegalArgumentException("diff needs the same tables on both sides");
    }
    Transaction.Builder b = new Transaction.Builder();
    for (int i = 0; i < current.size(); i++) {
      diffTable(b, previous.get(i), current.get(i));
    }
    return b.build();
  }

  private static void diffTable(Transaction.Builder b, NftTable prev, NftTable cur) {
    if (!prev.qualifiedName().equals(cur.qualifiedName())) {
      throw new IllegalArgumentException(
          "diff of different tables: " + prev.qualifiedName() + " vs " + cur.qualifiedName());
    }
    String q = cur.qualifiedName();
    List<NftChain> rewritten = new ArrayList<>();
    List<NftChain> gone = new ArrayList<>();
    List<NftSet> setsGone = new ArrayList<>();
    // 1. New chains and sets (declarations first: rules and verdict elements refer to them).
    for (NftChain c : cur.chains().values()) {
      NftChain old = prev.chains().get(c.name());
      if (old == null) {
        addChain(b, q, c);
        rewritten.add(c);
      } else if (!old.hook().equals(c.hook())) {
        throw new IllegalStateException(
            "chain " + c.name() + " changed its hook; full sync needed");
      } else if (!old.rules().equals(c.rules())) {
        b.line("flush chain " + q + " " + c.name(), c.owner());
        rewritten.add(c);
      }
    }
    for (NftSet s : cur.sets().values()) {
      NftSet old = prev.sets().get(s.name());
      if (old == null) {
        addSet(b, q, s);
      } else if (!old.sameDeclaration(s)) {
        throw new FullSyncRequiredException("set " + s.name() + " changed its declaration");
      }
    }
    // 2. Rules of new and changed chains.
    for (NftChain c : rewritten) {
      requireNoExistingTypeofMap(prev, c);
      addRules(b, q, c);
    }
    // 3. Elements: deletions before additions, so a changed value is replaced.
    for (NftSet s : cur.sets().values()) {
      NftSet old = prev.sets().get(s.name());
      SortedMap<String, NftSet.Element> before =
          old == null ? new java.util.TreeMap<>() : old.elements();
      List<String> deleted = new ArrayList<>();
      List<String> deletedOwners = new ArrayList<>();
      for (Map.Entry<String, NftSet.Element> e : before.entrySet()) {
        NftSet.Element now = s.elements().get(e.getKey());
        if (now == null || !now.value().equals(e.getValue().value())) {
          deleted.add(e.getKey());
          deletedOwners.add(e.getValue().owner());
        }
      }
      if (!deleted.isEmpty()) {
        b.line("delete element " + q + " " + s.name() + " {", "");
        for (int i = 0; i < deleted.size(); i++) {
          b.line("  " + deleted.get(i) + (i + 1 < deleted.size() ? "," : ""), deletedOwners.get(i));
        }
        b.line("}", "");
      }
      java.util.TreeMap<String, NftSet.Element> added = new java.util.TreeMap<>();
      for (Map.Entry<String, NftSet.Element> e : s.elements().entrySet()) {
        NftSet.Element was = before.get(e.getKey());
        if (was == null || !was.value().equals(e.getValue().value())) {
          added.put(e.getKey(), e.getValue());
        }
      }
      addElements(b, q, s.name(), added);
    }
    // 4. Objects that went away: chains are flushed before any is deleted (they may jump to each
    //    other), then sets (no rule refers to them any more).
    for (NftChain c : prev.chains().values()) {
      if (!cur.chains().containsKey(c.name())) {
        gone.add(c);
        b.line("flush chain " + q + " " + c.name(), c.owner());
      }
    }
    for (NftChain c : gone) {
      b.line("delete chain " + q + " " + c.name(), c.owner());
    }
    for (NftSet s : prev.sets().values()) {
      if (!cur.sets().containsKey(s.name())) {
        setsGone.add(s);
      }
    }
    for (NftSet s : setsGone) {
      b.line("delete " + s.keyword() + " " + q + " " + s.name(), s.owner());
    }
  }

  /**
   * libnftables 1.0.6 fails to add a rule that refers to a {@code typeof} map it reads back from
   * the kernel ("conflicting protocols specified"); such a change needs a full sync, where the map
   * is declared in the same transaction.
   */
  private static void requireNoExistingTypeofMap(NftTable prev, NftChain c) {
    for (String rule : c.rules()) {
      for (NftSet s : prev.sets().values()) {
        if (s.spec().startsWith("typeof") && rule.contains("@" + s.name())) {
          throw new FullSyncRequiredException(
              "chain " + c.name() + " needs a new rule on typeof map " + s.name());
        }
      }
    }
  }

  private static void addChain(Transaction.Builder b, String q, NftChain c) {
    b.line(
        "add chain " + q + " " + c.name() + (c.hook().isEmpty() ? "" : " { " + c.hook() + " }"),
        c.owner());
  }

  private static void addSet(Transaction.Builder b, String q, NftSet s) {
    b.line("add " + s.keyword() + " " + q + " " + s.name() + " { " + s.spec() + " }", s.owner());
  }

  private static void addRules(Transaction.Builder b, String q, NftChain c) {
    for (String r : c.rules()) {
      b.line("add rule " + q + " " + c.name() + " " + r, c.owner());
    }
  }

  private static void addElements(
      Transaction.Builder b, String q, String set, SortedMap<String, NftSet.Element> elements) {
    if (elements.isEmpty()) {
      return;
    }
    b.line("add element " + q + " " + set + " {", "");
    int i = 0;
    for (Map.Entry<String, NftSet.Element> e : elements.entrySet()) {
      boolean last = ++i == elements.size();
      b.line(
          "  " + NftSet.elementText(e.getKey(), e.getValue()) + (last ? "" : ","),
          e.getValue().owner());
    }
    b.line("}", "");
  }
}
