package io.berth.netfilter.iptables;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * berth's part of one table as {@code iptables-save -t TABLE} prints it: the {@code BERTH-*}
 * chains, and the rules in other chains that jump into them (in save syntax, {@code -A CHAIN ...}).
 *
 * @param chains berth's chains, in the order listed
 * @param jumps rules of other chains whose target is one of berth's chains
 */
record SavedChains(Set<String> chains, List<String> jumps) {
  static final String PREFIX = "BERTH-";

  static final SavedChains NONE = new SavedChains(Set.of(), List.of());

  SavedChains {
    chains = Set.copyOf(new LinkedHashSet<>(chains));
    jumps = List.copyOf(jumps);
  }

  /** berth's part of {@code save}, the output of {@code iptables-save -t TABLE}. */
  static SavedChains parse(String save) {
    Set<String> chains = new LinkedHashSet<>();
    List<String> jumps = new ArrayList<>();
    for (String line : save.lines().toList()) {
      if (line.startsWith(":" + PREFIX)) {
        chains.add(line.substring(1, line.indexOf(' ')));
      } else if (line.startsWith("-A ")
          && !line.startsWith("-A " + PREFIX)
          && line.contains(" -j " + PREFIX)) {
        jumps.add(line);
      }
    }
    return new SavedChains(chains, jumps);
  }

  /** The chains each {@code *table} section of restore input declares. */
  static Map<String, Set<String>> declared(String restoreInput) {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    String table = null;
    for (String line : restoreInput.lines().toList()) {
      if (line.startsWith("*")) {
        table = line.substring(1);
        out.put(table, new LinkedHashSet<>());
      } else if (line.startsWith(":") && table != null) {
        out.get(table).add(line.substring(1, line.indexOf(' ')));
      }
    }
    return out;
  }
}
