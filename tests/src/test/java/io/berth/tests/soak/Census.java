package io.berth.tests.soak;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the node holds at one moment, counted from the outside: runtime objects (sandboxes,
 * containers), kernel objects (network namespaces, veths, cgroups, mounts), berth's netfilter
 * lines, and berth's process (open fds, live heap after a full GC).
 */
record Census(
    int sandboxes,
    int containers,
    int netns,
    int veths,
    int cgroups,
    int mounts,
    int netfilterLines,
    int berthFds,
    long berthLiveHeapBytes) {

  /** Allowed growth of berth's open fds (lazily opened channels, epoll fds). */
  static final int FD_TOLERANCE = 8;

  /** Allowed growth of berth's live heap after a full GC. */
  static final long HEAP_TOLERANCE_BYTES = 4L << 20;

  Map<String, Long> asMap() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("sandboxes", (long) sandboxes);
    m.put("containers", (long) containers);
    m.put("netns", (long) netns);
    m.put("veths", (long) veths);
    m.put("cgroups", (long) cgroups);
    m.put("mounts", (long) mounts);
    m.put("netfilter lines", (long) netfilterLines);
    m.put("berth fds", (long) berthFds);
    m.put("berth live heap bytes", berthLiveHeapBytes);
    return m;
  }

  /**
   * What grew from {@code before} to this census beyond the tolerances; with {@code sameProcess}
   * false (berth was restarted in between) berth's fds and heap are not compared.
   */
  List<String> growthSince(Census before, boolean sameProcess) {
    List<String> out = new ArrayList<>();
    Map<String, Long> a = before.asMap();
    Map<String, Long> b = asMap();
    for (var e : b.entrySet()) {
      long was = a.get(e.getKey());
      long now = e.getValue();
      long allowed =
          switch (e.getKey()) {
            case "berth fds" -> sameProcess ? FD_TOLERANCE : Long.MAX_VALUE;
            case "berth live heap bytes" -> sameProcess ? HEAP_TOLERANCE_BYTES : Long.MAX_VALUE;
            default -> 0;
          };
      if (now - was > allowed) {
        out.add(e.getKey() + " " + was + " -> " + now + " (allowed +" + allowed + ")");
      }
    }
    return out;
  }

  /** How many of the quantities are compared (the invariants one census comparison checks). */
  static int quantities() {
    return 9;
  }
}
