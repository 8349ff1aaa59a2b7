package io.berth.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.cri.CriRuntime;
import io.berth.cri.PodSandbox;
import io.berth.cri.PodSandboxFilter;
import io.berth.tests.fixtures.Commands;
import io.berth.tests.fixtures.ContainerdLauncher;
import io.berth.tests.fixtures.NodeNetns;
import io.berth.tests.fixtures.NotifySocketListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.ToolProvider;

/**
 * berth's footprint as the installed launcher runs it: time from process start to {@code READY=1}
 * on the notify socket (the runtime is already answering, so this is also the time after the
 * runtime answers), and resident memory idle and with N running pods. The anchor, in the same run
 * on the same JDK and launcher flags: a minimal Java program's time to its first output line and
 * its idle RSS.
 *
 * <p>Usage: {@code bench/run footprint [--pods 110] [--starts 5] [--dist agent/target] [--services
 * N]}. With {@code --services N}, containerd and berth run in a node network namespace of their own
 * and the RSS phase loads N Services × 10 endpoints from a {@code --service-dir} (the nftables
 * proxy), waiting for kube-proxy's healthz to answer 200 before the idle sample; the results are
 * then written as {@code footprint-services}.
 */
public final class FootprintBench {
  private static final Pattern SERVING = Pattern.compile("serving on ([0-9.]+:\\d+)");
  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private final Path work;
  private final Path berth;
  private final ContainerdLauncher containerd;

  /** berth's heap with {@code --services} unless BERTH_JAVA_OPTS says otherwise. */
  static final String SERVICES_HEAP = "-Xmx256m";

  private final NodeNetns node; // null: no Services, berth in the bench's own namespace
  private final int services;

  private FootprintBench(
      Path work, Path berth, ContainerdLauncher containerd, NodeNetns node, int services) {
    this.work = work;
    this.berth = berth;
    this.containerd = containerd;
    this.node = node;
    this.services = services;
  }

  public static void main(String[] args) throws Exception {
    int pods = 110;
    int starts = 5;
    Path dist = Path.of("agent", "target");
    int services = 0;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--pods" -> pods = Integer.parseInt(args[++i]);
        case "--starts" -> starts = Integer.parseInt(args[++i]);
        case "--dist" -> dist = Path.of(args[++i]);
        case "--services" -> services = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Path work = Files.createTempDirectory("berth-footprint-");
    try {
      Path home = unpack(dist, work);
      // with Services, berth's proxy needs a network namespace of its own (never the host's)
      try (NodeNetns node = services > 0 ? NodeNetns.create("fp") : null;
          ContainerdLauncher containerd =
              node == null ? ContainerdLauncher.launch() : ContainerdLauncher.launch(node)) {
        new FootprintBench(work, home.resolve("bin/berth"), containerd, node, services)
            .run(starts, pods);
      }
    } finally {
      try (Stream<Path> walk = Files.walk(work)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private void run(int starts, int pods) throws Exception {
    System.out.printf(
        Locale.ROOT,
        "JDK %s (%s); berth from %s%n",
        Runtime.version(),
        System.getProperty("java.home"),
        berth);
    Anchor anchor = anchor();
    System.out.printf(
        Locale.ROOT,
        "anchor: minimal Java program, same JDK and launcher flags: first line after %.0f ms (median"
            + " of %d), idle RSS %.1f MB%n",
        anchor.startMillis(),
        starts,
        anchor.rssMb());

    Samples noCds = new Samples();
    Samples noCdsCpu = new Samples();
    for (int i = 0; i < starts; i++) {
      try (Berth b = start(false, false)) {
        noCds.add(b.readyNanos());
        noCdsCpu.add(Math.round(b.cpuMillisAtReady() * 1e6));
      }
    }
    // the first start with CDS writes the archive at exit; the following ones map it
    Samples firstCds = new Samples();
    Samples cds = new Samples();
    Samples cdsCpu = new Samples();
    for (int i = 0; i <= starts; i++) {
      try (Berth b = start(true, false)) {
        (i == 0 ? firstCds : cds).add(b.readyNanos());
        if (i > 0) {
          cdsCpu.add(Math.round(b.cpuMillisAtReady() * 1e6));
        }
        if (i == starts) {
          timeline(b);
        }
      }
    }
    System.out.printf(
        Locale.ROOT,
        "CPU time (user+sys) of berth until READY=1, p50: no CDS %s ms, CDS %s ms; load average"
            + " now %s%n",
        Samples.ms(noCdsCpu.percentileMillis(50)),
        Samples.ms(cdsCpu.percentileMillis(50)),
        Files.readString(Path.of("/proc/loadavg")).strip());
    System.out.printf(
        Locale.ROOT,
        "process start -> READY=1 (runtime already answering): no CDS p50 %s ms, max %s ms;"
            + " CDS being written %s ms; CDS archive p50 %s ms, max %s ms (%d starts each)%n",
        Samples.ms(noCds.percentileMillis(50)),
        Samples.ms(noCds.percentileMillis(100)),
        Samples.ms(firstCds.percentileMillis(50)),
        Samples.ms(cds.percentileMillis(50)),
        Samples.ms(cds.percentileMillis(100)),
        starts);

    try (Berth b = start(!"0".equals(System.getenv("BERTH_BENCH_CDS")), services > 0)) {
      if (services > 0) {
        long s0 = System.nanoTime();
        awaitProxySynced(b, Duration.ofMinutes(10));
        System.out.printf(
            Locale.ROOT,
            "%d Services x 10 endpoints loaded and synced %.1f s after READY (berth's"
                + " BERTH_JAVA_OPTS: %s)%n",
            services,
            (System.nanoTime() - s0) / 1e9,
            Optional.ofNullable(System.getenv("BERTH_JAVA_OPTS"))
                .filter(o -> !o.isBlank())
                .orElse(SERVICES_HEAP));
      }
      Thread.sleep(5_000);
      double idle = rssMb(b.process().pid());
      System.out.printf(
          Locale.ROOT,
          "RSS idle (5 s after READY): %.1f MB (%s)%n",
          idle,
          rssDetail(b.process().pid()));
      long t0 = System.nanoTime();
      for (int i = 0; i < pods; i++) {
        Files.writeString(b.manifests().resolve("sleep-" + i + ".yaml"), manifest(i));
      }
      awaitRunning(b, pods, Duration.ofMinutes(10));
      System.out.printf(
          Locale.ROOT, "%d pods Running after %.1f s%n", pods, (System.nanoTime() - t0) / 1e9);
      double max = 0;
      List<String> samples = new ArrayList<>();
      double cpu0 = cpuMillis(b.process().pid());
      long window0 = System.nanoTime();
      for (int i = 0; i < 6; i++) {
        Thread.sleep(5_000);
        get(b.server() + "/metrics/cadvisor"); // a Prometheus scrape, as on a real node
        double rss = rssMb(b.process().pid());
        samples.add(String.format(Locale.ROOT, "%.1f", rss));
        max = Math.max(max, rss);
      }
      double cpuShare =
          (cpuMillis(b.process().pid()) - cpu0) / ((System.nanoTime() - window0) / 1e6) * 100;
      System.out.printf(
          Locale.ROOT,
          "CPU of berth with %d pods over those 30 s (one scrape per 5 s): %.2f %% of one core%n",
          pods,
          cpuShare);
      System.out.println("  at the last sample: " + rssDetail(b.process().pid()));
      System.out.printf(
          Locale.ROOT,
          "RSS with %d pods Running, every 5 s for 30 s with a /metrics/cadvisor scrape each: %s"
              + " MB; max %.1f MB%n",
          pods,
          String.join(", ", samples),
          max);
      if (System.getenv("BERTH_BENCH_HISTO") != null) { // the live heap's biggest classes
        Process histo =
            new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(b.process().pid()),
                    "GC.class_histogram")
                .redirectErrorStream(true)
                .start();
        List<String> rows =
            new String(histo.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                .lines()
                .toList();
        rows.stream().limit(18).forEach(System.out::println);
        Path all = Path.of(System.getProperty("java.io.tmpdir"), "berth-histogram.txt");
        Files.write(all, rows);
        System.out.println("(the whole histogram: " + all + ")");
        rows.stream().filter(l -> l.startsWith("Total")).forEach(System.out::println);
      }
      if (System.getenv("BERTH_BENCH_NMT")
          != null) { // run with BERTH_JAVA_OPTS=-XX:NativeMemoryTracking=summary
        Process jcmd =
            new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(b.process().pid()),
                    "VM.native_memory",
                    "summary")
                .redirectErrorStream(true)
                .start();
        System.out.println(
            new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      }
      System.out.printf(
          Locale.ROOT,
          "berth/anchor: READY %.2fx first line; RSS idle %.2fx, at %d pods %.2fx%n",
          cds.percentileMillis(50) / anchor.startMillis(),
          idle / anchor.rssMb(),
          pods,
          max / anchor.rssMb());
      String jvm = "a minimal Java program, same JDK and launcher flags";
      new BenchResults(
              services > 0 ? "footprint-services" : "footprint",
              "--pods",
              "" + pods,
              "--starts",
              "" + starts,
              "--services",
              "" + services)
          .figure(
              Figure.of(
                      "ready-cds-p50",
                      "start → READY=1, CDS archive, p50 of " + starts,
                      "ms",
                      cds.percentileMillis(50),
                      anchor.startMillis(),
                      jvm + " (to its first line)")
                  .withTargets(Target.atMost(1000, "ms")))
          .figure(
              Figure.of(
                  "ready-cpu-cds-p50",
                  "CPU time until READY=1, CDS, p50",
                  "ms",
                  cdsCpu.percentileMillis(50),
                  Double.NaN,
                  ""))
          .figure(Figure.of("rss-idle", "RSS idle", "MB", idle, anchor.rssMb(), jvm + " (idle)"))
          .figure(
              Figure.of(
                      "rss-pods",
                      "RSS with " + pods + " pods" + servicesLabel() + ", max of 6 samples",
                      "MB",
                      max,
                      anchor.rssMb(),
                      jvm + " (idle)")
                  // issue #10's target is for pods alone; with Services loaded it is a measurement
                  .withTargets(
                      servicesLabel().isEmpty()
                          ? new Target[] {Target.atMost(128, "MB")}
                          : new Target[0]))
          .figure(
              Figure.of(
                  "cpu-pods",
                  "CPU with " + pods + " pods" + servicesLabel() + " (a scrape every 5 s)",
                  "% of a core",
                  cpuShare,
                  Double.NaN,
                  ""))
          .writeIfRequested();
      removePods(b);
    }
  }

  private String servicesLabel() {
    return services > 0 ? " and " + services + " Services" : "";
  }

  record Anchor(double startMillis, double rssMb) {}

  /** A minimal program compiled here, run with the launcher's JVM flags. */
  private Anchor anchor() throws Exception {
    Path src = Files.createDirectories(work.resolve("anchor"));
    Files.writeString(
        src.resolve("Hello.java"),
        """
        public class Hello {
          public static void main(String[] args) throws Exception {
            System.out.println("hello");
            System.out.flush();
            Thread.sleep(60_000);
          }
        }
        """);
    int rc =
        ToolProvider.getSystemJavaCompiler()
            .run(null, null, null, "-d", src.toString(), src.resolve("Hello.java").toString());
    if (rc != 0) {
      throw new IllegalStateException("javac failed for the anchor");
    }
    List<String> flags = launcherFlags();
    Samples start = new Samples();
    double rss = 0;
    for (int i = 0; i < 5; i++) {
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.addAll(flags);
      cmd.addAll(List.of("-cp", src.toString(), "Hello"));
      long t0 = System.nanoTime();
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      try {
        String line = p.inputReader(StandardCharsets.UTF_8).readLine();
        start.add(System.nanoTime() - t0);
        if (!"hello".equals(line)) {
          throw new IllegalStateException("anchor printed " + line);
        }
        Thread.sleep(2_000);
        rss = rssMb(p.pid());
      } finally {
        p.destroyForcibly();
        p.waitFor();
      }
    }
    return new Anchor(start.percentileMillis(50), rss);
  }

  /** The JVM flags bin/berth uses for `run`, as it prints them with BERTH_PRINT_FLAGS=1. */
  private List<String> launcherFlags() throws Exception {
    ProcessBuilder pb = new ProcessBuilder(berth.toString(), "run").redirectErrorStream(true);
    pb.environment().put("BERTH_PRINT_FLAGS", "1");
    pb.environment().put("BERTH_CDS", "0");
    pb.environment().put("BERTH_JAVA_HOME", System.getProperty("java.home"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    p.waitFor();
    return List.of(out.split("\n"));
  }

  record Berth(
      Process process,
      long readyNanos,
      double cpuMillisAtReady,
      java.time.Instant spawned,
      String server,
      Path manifests,
      Path log)
      implements AutoCloseable {
    @Override
    public void close() throws InterruptedException {
      process.destroy(); // SIGTERM: berth stops, pods stay
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor();
      }
    }
  }

  private Berth start(boolean cds, boolean withServices) throws Exception {
    Path manifests = Files.createDirectories(work.resolve("manifests"));
    List<String> proxy = List.of();
    if (withServices) {
      Path dir = Files.createDirectories(work.resolve("services"));
      List<String> files = SyntheticServices.files(services, 10, 500);
      for (int i = 0; i < files.size(); i++) {
        Files.writeString(
            dir.resolve(String.format(Locale.ROOT, "services-%03d.json", i)), files.get(i));
      }
      proxy =
          List.of(
              "--service-dir",
              dir.toString(),
              "--cluster-cidr",
              containerd.podCidr(),
              "--nodeport-addresses",
              node.nodeIp() + "/32");
    }
    Path log = work.resolve("berth.log");
    Path socket = work.resolve("notify-" + System.nanoTime());
    try (NotifySocketListener systemd = new NotifySocketListener(socket)) {
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  berth.toString(),
                  "run",
                  "--container-runtime-endpoint",
                  containerd.endpoint(),
                  "--port",
                  "0",
                  "--node-name",
                  "bench",
                  "--root-dir",
                  work.resolve("state").toString(),
                  "--pod-manifest-path",
                  manifests.toString(),
                  "--cgroup-root",
                  containerd.cgroupParent(),
                  "--pod-logs-dir",
                  containerd.podLogRoot().toString()));
      cmd.addAll(proxy);
      ProcessBuilder pb =
          new ProcessBuilder(node == null ? cmd : node.command(cmd.toArray(String[]::new)))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
      pb.environment().put("NOTIFY_SOCKET", socket.toString());
      pb.environment().put("BERTH_JAVA_HOME", System.getProperty("java.home"));
      pb.environment().put("BERTH_CDS", cds ? "1" : "0");
      String opts = System.getenv("BERTH_JAVA_OPTS");
      if (withServices && (opts == null || opts.isBlank())) {
        // the heap an operator gives berth for this many Services (systemd/berth.env): the
        // launcher's default 30 MB holds 110 pods and a few thousand Services, not 10k
        pb.environment().put("BERTH_JAVA_OPTS", SERVICES_HEAP);
      }
      Files.deleteIfExists(log);
      java.time.Instant spawned = java.time.Instant.now();
      long t0 = System.nanoTime();
      Process p = pb.start();
      String msg = systemd.next(Duration.ofSeconds(60));
      while (!msg.startsWith("READY=1")) {
        msg = systemd.next(Duration.ofSeconds(60));
      }
      long ready = System.nanoTime() - t0;
      double cpu = cpuMillis(p.pid());
      Matcher m = SERVING.matcher(msg);
      if (!m.find()) {
        throw new IllegalStateException("READY without an address: " + msg);
      }
      return new Berth(p, ready, cpu, spawned, "http://" + m.group(1), manifests, log);
    }
  }

  /** berth's log lines of one start, as milliseconds after the process was spawned. */
  private static void timeline(Berth b) throws IOException {
    System.out.println("timeline of the last start (ms after spawn: berth's log line):");
    for (String line : Files.readAllLines(b.log())) {
      int space = line.indexOf(' ');
      try {
        java.time.Instant at = java.time.Instant.parse(line.substring(0, space));
        System.out.printf(
            Locale.ROOT,
            "  %6d  %s%n",
            Duration.between(b.spawned(), at).toMillis(),
            line.substring(space + 1));
      } catch (RuntimeException e) {
        // not a log line of berth's own (a JVM warning): skip
      }
    }
    System.out.printf(Locale.ROOT, "  %6d  READY=1%n", b.readyNanos() / 1_000_000);
  }

  /** user + sys CPU time of a process so far, from /proc/PID/stat (clock ticks of 10 ms). */
  static double cpuMillis(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10.0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A sleeping pod. With Services loaded the pods do not ask for service links: the synthetic
   * Services all live in the pods' namespace, and 10k of them would give every container about 80k
   * Docker-links variables (several MB of environment, beyond what execve accepts), which a cluster
   * of that size avoids with {@code enableServiceLinks: false} or namespaces.
   */
  private String manifest(int i) {
    return """
        apiVersion: v1
        kind: Pod
        metadata:
          name: sleep-%d
        spec:
          terminationGracePeriodSeconds: 1
          enableServiceLinks: %s
          containers:
          - name: sleep
            image: %s
            imagePullPolicy: IfNotPresent
            command: ["sleep", "3600"]
        """
        .formatted(i, services == 0, containerd.busyboxImage());
  }

  private void awaitRunning(Berth b, int pods, Duration max) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    int running = 0;
    while (System.nanoTime() < deadline) {
      if (!b.process().isAlive()) {
        throw new IllegalStateException("berth exited while starting pods; " + logTail(b));
      }
      running = 0;
      String listed;
      try {
        listed = get(b.server() + "/pods");
      } catch (IOException | RuntimeException e) { // busy or a dropped connection: ask again
        System.out.println(
            "  /pods did not answer (" + e.getMessage().lines().findFirst().orElse("") + ")");
        Thread.sleep(2_000);
        continue;
      }
      for (JsonNode p : json.readTree(listed).path("items")) {
        if (p.at("/status/phase").asText().equals("Running")) {
          running++;
        }
      }
      if (running >= pods) {
        return;
      }
      Thread.sleep(2_000);
    }
    throw new IllegalStateException(
        running + " of " + pods + " pods Running after " + max + "; log " + b.log());
  }

  /** Removes the manifests and waits for berth to remove the pods; then removes any leftovers. */
  private void removePods(Berth b) throws Exception {
    try (Stream<Path> files = Files.list(b.manifests())) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
    try (CriRuntime cri = CriRuntime.connect(containerd.endpoint())) {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
      while (!cri.runtime().listPodSandbox(PodSandboxFilter.all()).isEmpty()
          && System.nanoTime() < deadline) {
        Thread.sleep(1_000);
      }
      for (PodSandbox s : cri.runtime().listPodSandbox(PodSandboxFilter.all())) {
        cri.runtime().stopPodSandbox(s.id());
        cri.runtime().removePodSandbox(s.id());
      }
    }
  }

  /**
   * Waits until berth's proxy has seen every Service ({@code
   * kubeproxy_sync_proxy_rules_service_changes_total}) and synced after the last change ({@code
   * _last_timestamp_seconds} ≥ {@code _last_queued_timestamp_seconds}); fails with berth's log if
   * berth exits meanwhile.
   */
  private void awaitProxySynced(Berth b, Duration max) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < deadline) {
      if (!b.process().isAlive()) {
        throw new IllegalStateException(
            "berth exited while loading " + services + " Services; " + logTail(b));
      }
      try {
        String metrics = get(b.server() + "/metrics");
        double changes = metric(metrics, "kubeproxy_sync_proxy_rules_service_changes_total");
        double synced = metric(metrics, "kubeproxy_sync_proxy_rules_last_timestamp_seconds");
        double queued = metric(metrics, "kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds");
        if (changes >= services && synced > 0 && (Double.isNaN(queued) || synced >= queued)) {
          return;
        }
      } catch (IOException | RuntimeException e) {
        // not answering yet
      }
      Thread.sleep(1_000);
    }
    throw new IllegalStateException("the proxy did not sync " + services + " Services in " + max);
  }

  private static String logTail(Berth b) throws IOException {
    List<String> log = Files.readAllLines(b.log());
    return "its log ends:\n"
        + String.join("\n", log.subList(Math.max(0, log.size() - 15), log.size()));
  }

  /** The first sample of {@code name} (without labels) in a text exposition, or NaN. */
  private static double metric(String text, String name) {
    for (String line : text.lines().toList()) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return Double.NaN;
  }

  private String get(String url) throws IOException, InterruptedException {
    if (node != null) { // berth listens on the node namespace's loopback
      return Commands.run(
              node.command("curl", "-sSf", "--max-time", "30", url), Duration.ofSeconds(40))
          .stdout();
    }
    return http.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** RssAnon, RssFile (mapped jars, libjvm, the CDS archive) and RssShmem, in MB. */
  static String rssDetail(long pid) {
    try {
      List<String> parts = new ArrayList<>();
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("RssAnon:")
            || line.startsWith("RssFile:")
            || line.startsWith("RssShmem:")) {
          parts.add(
              String.format(
                  Locale.ROOT,
                  "%s %.1f MB",
                  line.substring(0, line.indexOf(':')),
                  Long.parseLong(line.replaceAll("\\D", "")) / 1024.0));
        }
      }
      return String.join(", ", parts);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static double rssMb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException("no VmRSS for pid " + pid);
  }

  /** Unpacks the newest berth-*.tar.gz under {@code dist} into {@code work}; returns its home. */
  private static Path unpack(Path dist, Path work) throws Exception {
    Path tarball;
    try (Stream<Path> files = Files.list(dist)) {
      tarball =
          files
              .filter(p -> p.getFileName().toString().matches("berth-.*\\.tar\\.gz"))
              .findFirst()
              .orElseThrow(() -> new IllegalStateException("no berth-*.tar.gz in " + dist));
    }
    Process tar =
        new ProcessBuilder("tar", "xzf", tarball.toAbsolutePath().toString())
            .directory(work.toFile())
            .inheritIO()
            .start();
    if (tar.waitFor() != 0) {
      throw new IllegalStateException("tar failed on " + tarball);
    }
    try (Stream<Path> top = Files.list(work)) {
      Path home = top.filter(Files::isDirectory).findFirst().orElseThrow();
      Files.createDirectories(home.resolve("cds"));
      return home;
    }
  }
}
