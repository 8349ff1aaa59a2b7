package io.berth.netfilter.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What kube-proxy's iptables mode hands {@code iptables-restore --noflush} on a partial sync, built
 * from two full renders of the same shape: every top-level chain (the services dispatch, node
 * ports, masquerade) rewritten whole, as kube-proxy rewrites them on every sync, plus the
 * per-service and per-endpoint chains whose rules changed or that are new, and {@code -X} for the
 * ones that went away. Declaring a chain under {@code --noflush} flushes it, so the text replaces
 * exactly those chains.
 */
final class KubeProxyIptablesSync {
  /** Per-service and per-endpoint chains carry a hash suffix; the rest are top-level chains. */
  private static final Pattern PER_SERVICE =
      Pattern.compile("-(SVC|SEP|EXT|FW|SVL|XLB)-[A-Z2-7]+$");

  private KubeProxyIptablesSync() {}

  static String partial(String before, String after) {
    Map<String, Table> old = parse(before);
    Map<String, Table> now = parse(after);
    StringBuilder b = new StringBuilder();
    for (Map.Entry<String, Table> e : now.entrySet()) {
      Table t = e.getValue();
      Table was = old.getOrDefault(e.getKey(), new Table());
      Set<String> written = new LinkedHashSet<>();
      for (Map.Entry<String, List<String>> chain : t.rules.entrySet()) {
        String name = chain.getKey();
        if (!PER_SERVICE.matcher(name).find()
            || !Objects.equals(was.rules.get(name), chain.getValue())) {
          written.add(name);
        }
      }
      List<String> gone = was.rules.keySet().stream().filter(c -> !t.rules.containsKey(c)).toList();
      b.append('*').append(e.getKey()).append('\n');
      written.forEach(c -> b.append(':').append(c).append(" - [0:0]\n"));
      gone.forEach(c -> b.append(':').append(c).append(" - [0:0]\n")); // -X needs it empty
      for (String line : t.ruleLines) {
        if (written.contains(chainOf(line))) {
          b.append(line).append('\n');
        }
      }
      gone.forEach(c -> b.append("-X ").append(c).append('\n'));
      b.append("COMMIT\n");
    }
    return b.toString();
  }

  private static final class Table {
    final Map<String, List<String>> rules = new LinkedHashMap<>();
    final List<String> ruleLines = new ArrayList<>();
  }

  private static Map<String, Table> parse(String text) {
    Map<String, Table> tables = new LinkedHashMap<>();
    Table current = null;
    for (String line : text.lines().toList()) {
      if (line.startsWith("*")) {
        current = tables.computeIfAbsent(line.substring(1), k -> new Table());
      } else if (line.startsWith(":") && current != null) {
        current.rules.computeIfAbsent(line.substring(1, line.indexOf(' ')), k -> new ArrayList<>());
      } else if (line.startsWith("-A ") && current != null) {
        current.rules.computeIfAbsent(chainOf(line), k -> new ArrayList<>()).add(line);
        current.ruleLines.add(line);
      }
    }
    return tables;
  }

  private static String chainOf(String rule) {
    int end = rule.indexOf(' ', 3);
    return rule.substring(3, end < 0 ? rule.length() : end);
  }
}
