package io.berth.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Gathers one suite run ({@code bench/run all}) into {@code results.json}, {@code results.md} and
 * PNG charts in the run's directory.
 *
 * <p>Input, per benchmark name given on the command line (in suite order): {@code <name>.json}
 * written through {@link BenchResults}, or else figures parsed from {@code <name>.log} by a {@link
 * LogImport}; {@code <name>.status} ({@code <exit code> <seconds>}); and {@code machine.env}
 * ({@code key=value} lines the script wrote before the first benchmark: start time, load average,
 * commit, mode). Machine facts that do not change during the run are read here.
 *
 * <p>Usage: {@code SuiteReport <results dir> <bench>...}.
 */
public final class SuiteReport {
  private static final ObjectMapper JSON = BenchResults.json();

  /** One benchmark's outcome in this run. */
  record BenchRun(
      String name,
      int exitCode,
      double seconds,
      List<Figure> figures,
      JsonNode series,
      List<String> notes) {
    boolean failed() {
      return exitCode != 0 || figures.isEmpty();
    }
  }

  /** A chart drawn from one benchmark's figures or series. */
  record Chart(String bench, String file) {}

  private SuiteReport() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      throw new IllegalArgumentException("usage: SuiteReport <results dir> <bench>...");
    }
    Path dir = Path.of(args[0]);
    List<BenchRun> runs = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      runs.add(load(dir, args[i]));
    }
    Map<String, String> machine = Machine.describe(dir.resolve("machine.env"));
    List<Chart> charts = charts(dir, runs);
    writeJson(dir.resolve("results.json"), machine, runs, charts);
    Files.writeString(dir.resolve("results.md"), markdown(machine, runs, charts));
    System.out.println(
        "written: "
            + dir.resolve("results.md")
            + ", results.json, "
            + charts.stream().map(Chart::file).toList());
    long failed = runs.stream().filter(BenchRun::failed).count();
    if (failed > 0) {
      System.out.println(failed + " benchmark(s) failed or gave no figures: see their .log");
    }
  }

  static BenchRun load(Path dir, String name) throws IOException {
    int rc = -1;
    double seconds = Double.NaN;
    Path status = dir.resolve(name + ".status");
    if (Files.exists(status)) {
      String[] s = Files.readString(status).strip().split("\\s+");
      rc = Integer.parseInt(s[0]);
      seconds = s.length > 1 ? Double.parseDouble(s[1]) : Double.NaN;
    }
    Path json = dir.resolve(name + ".json");
    if (Files.exists(json)) {
      JsonNode doc = JSON.readTree(json.toFile());
      List<Figure> figures = new ArrayList<>();
      for (JsonNode f : doc.path("figures")) {
        figures.add(JSON.treeToValue(f, Figure.class));
      }
      List<String> notes = new ArrayList<>();
      doc.path("notes").forEach(n -> notes.add(n.asText()));
      return new BenchRun(name, rc, seconds, figures, doc.path("series"), notes);
    }
    LogImport importer = LogImport.forBench(name);
    Path log = dir.resolve(name + ".log");
    List<Figure> figures =
        importer != null && Files.exists(log) ? importer.figures(Files.readString(log)) : List.of();
    return new BenchRun(name, rc, seconds, figures, JSON.createObjectNode(), List.of());
  }

  /** Draws the charts the data allows; returns their file names. */
  static List<Chart> charts(Path dir, List<BenchRun> runs) throws IOException {
    List<Chart> written = new ArrayList<>();
    for (BenchRun run : runs) {
      if (run.name().equals("netfilter")) {
        LineChart sync =
            new LineChart(
                "Service proxy: full sync of S services × 10 endpoints", "services", "ms", true);
        sync.add(points("berth (nftables through libnftables)", run, "full-sync-", true));
        sync.add(points("anchor: kube-proxy's shape, nft -f", run, "full-sync-", false));
        if (!sync.isEmpty()) {
          sync.write(dir.resolve("sync-time-vs-services.png"));
          written.add(new Chart(run.name(), "sync-time-vs-services.png"));
        }
        LineChart change =
            new LineChart("Service proxy: one-endpoint change", "services", "ms", true);
        change.add(points("berth p50", run, "change-p50-", true));
        change.add(points("berth p99", run, "change-p99-", true));
        change.add(points("anchor p50: kube-proxy's shape, nft -f", run, "change-p50-", false));
        if (!change.isEmpty()) {
          change.write(dir.resolve("endpoint-change-vs-services.png"));
          written.add(new Chart(run.name(), "endpoint-change-vs-services.png"));
        }
      }
      if (run.name().equals("pod-start") && run.series().size() > 0) {
        LineChart cdf =
            new LineChart(
                "Pod start: manifest to container running (cumulative share of pods)",
                "ms",
                "share of pods",
                false);
        run.series()
            .fieldNames()
            .forEachRemaining(
                name -> {
                  List<Double> values = new ArrayList<>();
                  run.series().path(name).forEach(v -> values.add(v.asDouble()));
                  cdf.add(cdf(name, values));
                });
        if (!cdf.isEmpty()) {
          cdf.write(dir.resolve("pod-start-latency.png"));
          written.add(new Chart(run.name(), "pod-start-latency.png"));
        }
      }
    }
    return written;
  }

  private static final Pattern TRAILING_NUMBER = Pattern.compile(".*-(\\d+)$");

  private static LineChart.Series points(
      String name, BenchRun run, String idPrefix, boolean berth) {
    List<LineChart.Point> points = new ArrayList<>();
    for (Figure f : run.figures()) {
      Matcher m = TRAILING_NUMBER.matcher(f.id());
      if (f.id().startsWith(idPrefix) && m.matches()) {
        double y = berth ? f.berth() : f.anchor();
        if (!Double.isNaN(y)) {
          points.add(new LineChart.Point(Double.parseDouble(m.group(1)), y));
        }
      }
    }
    points.sort((a, b) -> Double.compare(a.x(), b.x()));
    return new LineChart.Series(name, points);
  }

  /** The empirical cumulative distribution of {@code values}: (value, share ≤ value). */
  static LineChart.Series cdf(String name, List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    List<LineChart.Point> points = new ArrayList<>();
    for (int i = 0; i < sorted.size(); i++) {
      points.add(new LineChart.Point(sorted.get(i), (i + 1) / (double) sorted.size()));
    }
    return new LineChart.Series(name + " (" + sorted.size() + ")", points);
  }

  static void writeJson(
      Path file, Map<String, String> machine, List<BenchRun> runs, List<Chart> charts)
      throws IOException {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("machine", machine);
    List<Map<String, Object>> benches = new ArrayList<>();
    for (BenchRun run : runs) {
      Map<String, Object> b = new LinkedHashMap<>();
      b.put("name", run.name());
      b.put("exitCode", run.exitCode());
      b.put("seconds", run.seconds());
      List<Map<String, Object>> figures = new ArrayList<>();
      for (Figure f : run.figures()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", f.id());
        m.put("label", f.label());
        m.put("unit", f.unit());
        m.put("berth", f.berth());
        m.put("anchor", f.anchor());
        m.put("anchorName", f.anchorName());
        m.put("ratio", f.ratio());
        m.put("targets", f.targets().stream().map(Target::text).toList());
        m.put("met", f.met().orElse(null));
        figures.add(m);
      }
      b.put("figures", figures);
      b.put("series", run.series());
      b.put("notes", run.notes());
      benches.add(b);
    }
    doc.put("benchmarks", benches);
    doc.put("charts", charts.stream().map(Chart::file).toList());
    JSON.writeValue(file.toFile(), doc);
  }

  static String markdown(Map<String, String> machine, List<BenchRun> runs, List<Chart> charts) {
    StringBuilder md = new StringBuilder();
    double seconds =
        runs.stream().mapToDouble(BenchRun::seconds).filter(d -> !Double.isNaN(d)).sum();
    md.append("Benchmark suite run of ")
        .append(machine.getOrDefault("started", "?"))
        .append(" (`bench/run all")
        .append("full".equals(machine.get("mode")) ? " --full" : "")
        .append("`, commit ")
        .append(machine.getOrDefault("commit", "?"))
        .append(String.format(Locale.ROOT, ", benchmarks %.1f min", seconds / 60))
        .append(").\n\n");
    md.append("Machine: ")
        .append(machine.get("cpu"))
        .append(", ")
        .append(machine.get("cores"))
        .append(" cores, ")
        .append(machine.get("memory"))
        .append(", ")
        .append(machine.get("os"))
        .append(", kernel ")
        .append(machine.get("kernel"))
        .append(", ")
        .append(machine.get("jdk"))
        .append(", ")
        .append(machine.get("containerd"))
        .append(". Load average before: ")
        .append(machine.get("loadBefore"))
        .append("; after: ")
        .append(machine.get("loadAfter"))
        .append(".\n");
    List<String> ran = runs.stream().map(BenchRun::name).toList();
    for (ReportArea area : ReportArea.of(ran)) {
      List<BenchRun> in = runs.stream().filter(r -> area.benches().contains(r.name())).toList();
      md.append("\n### ").append(area.title()).append("\n\n");
      md.append(
          in.stream()
              .map(
                  r -> String.format(Locale.ROOT, "`bench/run %s` (%.0f s)", r.name(), r.seconds()))
              .collect(Collectors.joining(", ")));
      md.append(". Anchors, measured in the same run: ");
      md.append(
          in.stream()
              .flatMap(r -> r.figures().stream().map(Figure::anchorName))
              .filter(a -> a != null && !a.isBlank())
              .distinct()
              .collect(Collectors.joining("; ")));
      md.append(".\n");
      in.stream().flatMap(r -> r.notes().stream()).forEach(n -> md.append(n).append("\n"));
      md.append("\n| figure | berth | anchor | berth/anchor | target | met? |\n");
      md.append("|---|---:|---:|---:|---|---|\n");
      for (BenchRun run : in) {
        if (run.failed()) {
          md.append("| **`")
              .append(run.name())
              .append(run.figures().isEmpty() ? "`: no figures, exit " : "`: failed, exit ")
              .append(run.exitCode())
              .append(", see `")
              .append(run.name())
              .append(".log`** | | | | | |\n");
        }
        for (Figure f : run.figures()) {
          md.append("| ")
              .append(f.label())
              .append(" | ")
              .append(value(f.berth(), f.unit()))
              .append(" | ")
              .append(value(f.anchor(), f.unit()))
              .append(" | ")
              .append(Double.isNaN(f.ratio()) ? "—" : String.format(Locale.ROOT, "%.2f", f.ratio()))
              .append(" | ")
              .append(
                  f.targets().isEmpty()
                      ? "—"
                      : f.targets().stream().map(Target::text).collect(Collectors.joining("; ")))
              .append(" | ")
              .append(f.met().map(m -> m ? "yes" : "**no**").orElse("—"))
              .append(" |\n");
        }
      }
      List<Chart> mine = charts.stream().filter(c -> area.benches().contains(c.bench())).toList();
      if (!mine.isEmpty()) {
        md.append('\n');
        for (Chart c : mine) {
          md.append("![")
              .append(c.file().replace(".png", ""))
              .append("](")
              .append(c.file())
              .append(")\n");
        }
      }
    }
    return md.toString();
  }

  private static String value(double v, String unit) {
    return Double.isNaN(v) ? "—" : Format.number(v) + " " + unit;
  }

  /** Facts about the machine the suite ran on. */
  static final class Machine {
    private Machine() {}

    static Map<String, String> describe(Path env) throws IOException {
      Map<String, String> m = new LinkedHashMap<>();
      if (Files.exists(env)) {
        for (String line : Files.readAllLines(env)) {
          int eq = line.indexOf('=');
          if (eq > 0) {
            m.put(line.substring(0, eq), line.substring(eq + 1));
          }
        }
      }
      m.put("cpu", firstMatch(Path.of("/proc/cpuinfo"), "model name\\s*:\\s*(.*)").orElse("?"));
      m.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
      m.put(
          "memory",
          firstMatch(Path.of("/proc/meminfo"), "MemTotal:\\s*(\\d+) kB")
              .map(kb -> String.format(Locale.ROOT, "%.1f GiB RAM", Long.parseLong(kb) / 1048576.0))
              .orElse("?"));
      m.put(
          "os",
          firstMatch(Path.of("/etc/os-release"), "PRETTY_NAME=\"?([^\"]*)\"?").orElse("Linux"));
      m.put("kernel", Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip());
      m.put(
          "jdk",
          "JDK " + Runtime.version() + " (" + System.getProperty("java.vm.vendor", "?") + ")");
      m.put("containerd", command("containerd", "--version"));
      m.put("loadAfter", loadAverage());
      m.putIfAbsent("loadBefore", "?");
      return m;
    }

    static String loadAverage() throws IOException {
      String[] f = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    }

    private static Optional<String> firstMatch(Path file, String regex) throws IOException {
      if (!Files.exists(file)) {
        return Optional.empty();
      }
      Pattern p = Pattern.compile(regex);
      for (String line : Files.readAllLines(file)) {
        Matcher m = p.matcher(line);
        if (m.matches()) {
          return Optional.of(m.group(1).strip());
        }
      }
      return Optional.empty();
    }

    private static String command(String... cmd) {
      try {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        p.waitFor();
        // "containerd github.com/containerd/containerd 1.6.20~ds1 1.6.20~ds1-1+b1"
        String[] words = out.split("\\s+");
        return words.length >= 3 ? words[0] + " " + words[2] : out;
      } catch (IOException e) {
        return cmd[0] + " not found";
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return cmd[0] + " ?";
      }
    }
  }
}
