package io.berth.netfilter.nftables;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What one service port contributes to its family's table: elements of the shared sets and maps,
 * and (for ClientIP affinity only) its own chains and dynamic sets.
 */
record Fragment(
    String owner,
    SortedMap<String, NftChain> chains,
    SortedMap<String, NftSet> sets,
    List<Element> elements) {

  /** One element of a shared set or map. */
  record Element(String set, String key, String value) {}

  /** Collects a fragment while {@link NftRenderer} renders one service port. */
  static final class Builder implements NftRenderer.Sink {
    private final String owner;
    private final TreeMap<String, NftChain> chains = new TreeMap<>();
    private final TreeMap<String, NftSet> sets = new TreeMap<>();
    private final TreeMap<String, String> seen = new TreeMap<>();
    private final List<Element> elements = new ArrayList<>();

    Builder(String owner) {
      this.owner = owner;
    }

    @Override
    public void chain(String name, String hook, List<String> rules, String chainOwner) {
      NftChain c = new NftChain(name, hook, rules, chainOwner);
      NftChain old = chains.putIfAbsent(name, c);
      if (old != null && !old.equals(c)) {
        throw new IllegalStateException("two definitions of chain " + name + " in " + owner);
      }
    }

    @Override
    public void element(String set, String key, String value, String elementOwner) {
      String old = seen.putIfAbsent(set + '\0' + key, value);
      if (old == null) {
        elements.add(new Element(set, key, value));
      } else if (!old.equals(value)) {
        throw new IllegalArgumentException(
            owner + ": conflicting values for " + key + " in " + set + ": " + old + ", " + value);
      }
    }

    @Override
    public void dynamicSet(String name, String spec, String setOwner) {
      sets.put(name, new NftSet(name, false, spec, setOwner, new TreeMap<>()));
    }

    Fragment build() {
      return new Fragment(owner, chains, sets, List.copyOf(elements));
    }
  }
}
