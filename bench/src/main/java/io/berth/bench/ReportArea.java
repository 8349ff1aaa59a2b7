package io.berth.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * One table of the suite's report: an area the issues set targets for, and the benchmarks (names in
 * {@code bench/benchmarks}) whose figures belong to it. A benchmark named in no area gets a table
 * of its own, so a new registry line is never left out of the report.
 */
record ReportArea(String title, List<String> benches) {
  static final List<ReportArea> ALL =
      List.of(
          new ReportArea("Pod start", List.of("cri", "pod-start", "api-pods")),
          new ReportArea("Service proxy (nftables)", List.of("netfilter")),
          new ReportArea("Probes", List.of("probes", "exec-probe")),
          new ReportArea("Metrics", List.of("cadvisor")),
          new ReportArea("Footprint", List.of("footprint", "footprint-services")),
          new ReportArea("Node API", List.of("nodeapi")),
          new ReportArea("Service proxy (iptables)", List.of("iptables")));

  ReportArea {
    benches = List.copyOf(benches);
  }

  /** The areas that hold at least one of {@code ran}, in report order, then one per stray bench. */
  static List<ReportArea> of(List<String> ran) {
    List<ReportArea> out = new ArrayList<>();
    for (ReportArea a : ALL) {
      if (a.benches().stream().anyMatch(ran::contains)) {
        out.add(a);
      }
    }
    for (String name : ran) {
      if (ALL.stream().noneMatch(a -> a.benches().contains(name))) {
        out.add(new ReportArea(name, List.of(name)));
      }
    }
    return out;
  }
}
