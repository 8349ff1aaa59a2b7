package io.berth.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Figures read from the printed output of a benchmark that lives in another module's test sources
 * and writes no JSON of its own (the netfilter and probes benchmarks). Each importer knows one
 * output format; a format change shows as "no figures" in the suite's table, never as a wrong one.
 */
sealed interface LogImport {
  List<Figure> figures(String log);

  /** The importer for {@code bench}, or null when that bench writes its own JSON. */
  static LogImport forBench(String bench) {
    return switch (bench) {
      case "netfilter" -> new NftTable();
      case "probes" -> new ProbeRows();
      default -> null;
    };
  }

  static double number(String s) {
    String t = s.strip().replace(",", "");
    return t.isEmpty() || t.equals("—") ? Double.NaN : Double.parseDouble(t);
  }

  /**
   * {@code NftBenchmark}'s Markdown rows: {@code | what | berth ms | anchor ms | ratio | notes |}.
   */
  record NftTable() implements LogImport {
    private static final Pattern ROW =
        Pattern.compile("^\\| ([^|]+) \\| ([0-9.]+) \\| ([0-9.]+|—) \\| [^|]* \\|.*$");
    private static final Pattern FULL = Pattern.compile("full sync \\(initial load\\), (\\d+) ×.*");
    private static final Pattern CHANGE =
        Pattern.compile("one-endpoint change p(50|99), (\\d+) services");
    private static final Pattern FIRST =
        Pattern.compile("first packet.*, (\\d+) vs (\\d+) services");
    private static final Pattern FIRST_DIRECT =
        Pattern.compile("first packet.*, VIP at (\\d+) services vs direct to the pod IP");
    private static final Pattern IPT_FULL =
        Pattern.compile("full sync \\(initial load\\) vs iptables-legacy-restore, (\\d+) ×.*");
    private static final Pattern IPT_CHANGE =
        Pattern.compile("one-endpoint change p50 vs iptables-legacy-restore, (\\d+) services");

    @Override
    public List<Figure> figures(String log) {
      List<Figure> out = new ArrayList<>();
      java.util.Set<String> seen = new java.util.HashSet<>();
      String nft = "kube-proxy's nftables shape through nft -f, same run";
      for (String line : log.lines().toList()) {
        Matcher m = ROW.matcher(line.strip());
        if (!m.matches() || !seen.add(m.group(1))) {
          continue; // the table is printed twice: row by row, then whole
        }
        String what = m.group(1).strip();
        double berth = number(m.group(2));
        double anchor = number(m.group(3));
        Matcher full = FULL.matcher(what);
        Matcher change = CHANGE.matcher(what);
        Matcher first = FIRST.matcher(what);
        Matcher iptFull = IPT_FULL.matcher(what);
        Matcher iptChange = IPT_CHANGE.matcher(what);
        Matcher direct = FIRST_DIRECT.matcher(what);
        if (direct.matches()) {
          out.add(
              Figure.of(
                  "first-packet-vs-pod-ip-" + direct.group(1),
                  what,
                  "ms",
                  berth,
                  anchor,
                  "the same client straight to the pod IP, same run"));
        } else if (iptFull.matches()) {
          out.add(
              Figure.of(
                  "full-sync-ipt-" + iptFull.group(1),
                  what,
                  "ms",
                  berth,
                  anchor,
                  "kube-proxy's iptables shape through iptables-legacy-restore, same run"));
        } else if (iptChange.matches()) {
          out.add(
              Figure.of(
                  "change-p50-ipt-" + iptChange.group(1),
                  what,
                  "ms",
                  berth,
                  anchor,
                  "kube-proxy's iptables partial sync through iptables-legacy-restore --noflush,"
                      + " same run"));
        } else if (full.matches()) {
          int s = Integer.parseInt(full.group(1));
          Figure f = Figure.of("full-sync-" + s, what, "ms", berth, anchor, nft);
          out.add(s >= 10_000 ? f.withTargets(Target.atMost(2000, "ms")) : f);
        } else if (change.matches()) {
          int s = Integer.parseInt(change.group(2));
          boolean p50 = change.group(1).equals("50");
          Figure f =
              Figure.of(
                  "change-p" + change.group(1) + "-" + s,
                  what,
                  "ms",
                  berth,
                  anchor,
                  "kube-proxy's shape through nft -f (one chain's rules replaced), same run");
          out.add(s >= 10_000 ? f.withTargets(Target.atMost(p50 ? 5 : 20, "ms")) : f);
        } else if (first.matches()) {
          out.add(
              Figure.of(
                      "first-packet-" + first.group(1),
                      what,
                      "ms",
                      berth,
                      anchor,
                      "berth's VIP with " + first.group(2) + " services, same run")
                  .withTargets(Target.ratioAtMost(1.0)));
        } else {
          String id = what.replaceAll("[^A-Za-z0-9]+", "-").replaceAll("^-|-$", "");
          out.add(Figure.of(id.toLowerCase(java.util.Locale.ROOT), what, "ms", berth, anchor, nft));
        }
      }
      return out;
    }
  }

  /**
   * {@code ProbeBenchmark}'s rows: {@code kind client probes fail probes/s cpu-µs/pr srv-µs/pr p50
   * p99 max fdsBefore -> fdsAfter}, one {@code berth} and one {@code anchor} row per kind.
   */
  record ProbeRows() implements LogImport {
    private static final Pattern ROW =
        Pattern.compile(
            "^(tcp|http|grpc)\\s+(berth|anchor)\\s+(\\d+)\\s+(\\d+)\\s+([0-9.]+)\\s+([0-9.]+)\\s+"
                + "([0-9.]+)\\s+([0-9.]+)\\s+([0-9.]+)\\s+([0-9.]+)\\s+(\\d+) -> (\\d+).*$");

    @Override
    public List<Figure> figures(String log) {
      java.util.Map<String, double[]> rows = new java.util.LinkedHashMap<>();
      for (String line : log.lines().toList()) {
        Matcher m = ROW.matcher(line.strip());
        if (m.matches()) {
          double[] v = new double[12];
          for (int i = 3; i <= 12; i++) {
            v[i - 1] = number(m.group(i));
          }
          rows.put(m.group(1) + " " + m.group(2), v); // the last (measured) round wins
        }
      }
      List<Figure> out = new ArrayList<>();
      String anchor = "blocking java.net.Socket client, same connections, same run";
      for (String kind : List.of("tcp", "http", "grpc")) {
        double[] b = rows.get(kind + " berth");
        double[] a = rows.get(kind + " anchor");
        if (b == null) {
          continue;
        }
        out.add(
            Figure.of(
                    kind + "-probes-per-s",
                    kind + " probes/s on one event loop",
                    "1/s",
                    b[4],
                    a == null ? Double.NaN : a[4],
                    anchor)
                .withTargets(Target.atLeast(10_000, "/s")));
        out.add(
            Figure.of(
                kind + "-cpu-per-probe",
                kind + " CPU per probe",
                "µs",
                b[5],
                a == null ? Double.NaN : a[5],
                anchor));
        out.add(
            Figure.of(
                    kind + "-p99",
                    kind + " probe latency p99",
                    "ms",
                    b[8],
                    a == null ? Double.NaN : a[8],
                    anchor)
                .withTargets(Target.atMost(5, "ms")));
        out.add(
            Figure.of(
                    kind + "-fd-growth",
                    kind + " open fds after − before",
                    "fds",
                    b[11] - b[10],
                    Double.NaN,
                    "")
                .withTargets(Target.atMost(0, "fds")));
        if (b[3] > 0) {
          out.add(
              Figure.of(kind + "-failures", kind + " failed probes", "probes", b[3], Double.NaN, "")
                  .withTargets(Target.atMost(0, "probes")));
        }
      }
      return out;
    }
  }
}
