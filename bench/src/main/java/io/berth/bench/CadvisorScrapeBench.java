package io.berth.bench;

import io.berth.agent.stats.NodeMetricsEndpoints;
import io.berth.cri.ContainerFilter;
import io.berth.cri.ContainerState;
import io.berth.cri.CriRuntime;
import io.berth.cri.PodSandbox;
import io.berth.cri.PodSandboxFilter;
import io.berth.cri.RuntimeService;
import io.berth.tests.fixtures.ContainerdLauncher;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A full {@code /metrics/cadvisor} scrape of an in-process berth running {@code --pods} (default
 * 110, the kubelet's max) pods of one busybox container each on a private containerd, beside a
 * minimal reader of the same cgroup files for the same cgroups in the same run.
 *
 * <p>Each iteration waits until berth's collection cache ({@link
 * NodeMetricsEndpoints#COLLECTION_MAX_AGE}) has expired, so every measured scrape reads every
 * cgroup again (what a Prometheus scraping every 10–15 s gets). The minimal reader takes the cgroup
 * paths from the scrape's own {@code id} labels and reads each file berth's v1 reader reads with
 * {@code Files.readAllBytes}, summing every number in it; it builds no model and no text. The two
 * alternate which goes first.
 *
 * <p>CPU per scrape is the sum over every JVM platform thread's CPU time across the request
 * (berth's virtual-thread handlers run on carrier threads, so they are included), which also counts
 * the benchmark's own HTTP client and any berth background work that happens to coincide: stricter
 * on berth, never kinder. The anchor is measured the same way.
 *
 * <p>Usage: {@code bench/run cadvisor [--pods N] [--scrapes N]}.
 */
public final class CadvisorScrapeBench {
  /** The files berth's {@code CgroupV1Reader} reads per cgroup, by hierarchy. */
  private static final List<List<String>> FILES =
      List.of(
          List.of("cpuacct", "cpuacct.usage", "cpuacct.stat"),
          List.of("cpu", "cpu.stat", "cpu.shares", "cpu.cfs_quota_us", "cpu.cfs_period_us"),
          List.of(
              "memory",
              "memory.stat",
              "memory.usage_in_bytes",
              "memory.max_usage_in_bytes",
              "memory.limit_in_bytes",
              "memory.memsw.limit_in_bytes",
              "memory.failcnt",
              "memory.oom_control"),
          List.of(
              "blkio",
              "blkio.throttle.io_service_bytes_recursive",
              "blkio.throttle.io_serviced_recursive"),
          List.of("pids", "pids.current", "pids.max", "cgroup.procs"),
          List.of("unified", "cpu.pressure", "memory.pressure", "io.pressure"));

  private static final Pattern ID = Pattern.compile("[{,]id=\"([^\"]+)\"");
  private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");

  public static void main(String[] args) throws Exception {
    int pods = 110;
    int scrapes = 30;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--pods" -> pods = Integer.parseInt(args[++i]);
        case "--scrapes" -> scrapes = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    try (ContainerdLauncher containerd = ContainerdLauncher.launch();
        CriRuntime cri = CriRuntime.connect(containerd.endpoint());
        InProcessBerth berth = InProcessBerth.start(containerd, "berth-cadvisor-bench-")) {
      try {
        startPods(containerd, cri.runtime(), berth, pods);
        run(
            URI.create(berth.baseUrl() + "/metrics/cadvisor"),
            containerd.cgroupParent(),
            pods,
            scrapes,
            args);
      } finally {
        for (int i = 0; i < pods; i++) {
          berth.deleteManifest("p" + i);
        }
        awaitNoSandboxes(cri.runtime(), Duration.ofSeconds(180));
        for (PodSandbox s : cri.runtime().listPodSandbox(PodSandboxFilter.all())) {
          cri.runtime().stopPodSandbox(s.id());
          cri.runtime().removePodSandbox(s.id());
        }
      }
    }
  }

  private static void startPods(
      ContainerdLauncher containerd, RuntimeService rt, InProcessBerth berth, int pods)
      throws Exception {
    long t0 = System.nanoTime();
    for (int i = 0; i < pods; i++) {
      berth.writeSleeper("p" + i, containerd.busyboxImage());
    }
    long deadline = t0 + Duration.ofMinutes(5).toNanos();
    int running = 0;
    while ((running =
            rt.listContainers(ContainerFilter.all().inState(ContainerState.RUNNING)).size())
        < pods) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            running + " of " + pods + " containers running after 5 min");
      }
      Thread.sleep(500);
    }
    System.out.printf(
        Locale.ROOT, "%d pods running after %.1f s%n", pods, (System.nanoTime() - t0) / 1e9);
  }

  private static void run(URI uri, String cgroupParent, int pods, int scrapes, String[] args)
      throws Exception {
    CpuClock cpu = new CpuClock();
    // wait until berth's inventory sees every container, and warm up
    String body = "";
    List<String> cgroups = List.of();
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (cgroups.size() < 2 * pods) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the scrape shows " + cgroups.size() + " cgroups, expected " + 2 * pods);
      }
      Thread.sleep(NodeMetricsEndpoints.COLLECTION_MAX_AGE.toMillis() + 50);
      body = get(uri);
      cgroups = cgroupIds(body, cgroupParent);
    }
    for (int i = 0; i < 3; i++) {
      Thread.sleep(NodeMetricsEndpoints.COLLECTION_MAX_AGE.toMillis() + 50);
      get(uri);
      minimalRead(cgroups);
    }
    Samples berthWall = new Samples();
    Samples berthCpu = new Samples();
    Samples rawWall = new Samples();
    Samples rawCpu = new Samples();
    long sink = 0;
    int bytes = 0;
    for (int i = 0; i < scrapes; i++) {
      Thread.sleep(NodeMetricsEndpoints.COLLECTION_MAX_AGE.toMillis() + 50);
      for (int side = 0; side < 2; side++) {
        boolean berthSide = (i + side) % 2 == 0;
        long c0 = cpu.total();
        long w0 = System.nanoTime();
        if (berthSide) {
          bytes = get(uri).length();
        } else {
          sink += minimalRead(cgroups);
        }
        long w1 = System.nanoTime();
        long c1 = cpu.total();
        (berthSide ? berthWall : rawWall).add(w1 - w0);
        (berthSide ? berthCpu : rawCpu).add(c1 - c0);
      }
    }
    long series = body.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).count();
    System.out.printf(
        Locale.ROOT,
        "%n/metrics/cadvisor: %d pods, %d cgroups, %d series, %d bytes, %d scrapes (sink %d)%n%n",
        pods,
        cgroups.size(),
        series,
        bytes,
        scrapes,
        sink);
    System.out.println("| measurement | berth ms | minimal reader ms | berth/reader |");
    System.out.println("|---|---:|---:|---:|");
    BenchResults results = new BenchResults("cadvisor", args);
    String anchor = "minimal reader (readAllBytes + parse numbers), same files";
    String where = pods + " pods";
    results.figure(
        row("scrape-wall-p50", "scrape latency p50, " + where, berthWall, rawWall, 50)
            .withTargets(Target.atMost(50, "ms"), Target.ratioAtMost(2)));
    results.figure(row("scrape-wall-p99", "scrape latency p99, " + where, berthWall, rawWall, 99));
    results.figure(
        row("scrape-cpu-p50", "CPU per scrape p50, " + where, berthCpu, rawCpu, 50)
            .withTargets(Target.ratioAtMost(2)));
    results.figure(row("scrape-cpu-p99", "CPU per scrape p99, " + where, berthCpu, rawCpu, 99));
    results
        .series("berth scrape ms", berthWall.millis())
        .series("minimal reader ms", rawWall.millis())
        .note(
            "%d cgroups, %d series, %d bytes per scrape; anchor: %s"
                .formatted(cgroups.size(), series, bytes, anchor))
        .writeIfRequested();
  }

  private static Figure row(String id, String label, Samples berth, Samples anchor, int p) {
    double b = berth.percentileMillis(p);
    double a = anchor.percentileMillis(p);
    System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.2f |%n", label, b, a, b / a);
    return Figure.of(id, label, "ms", b, a, "minimal reader of the same cgroup files, same run");
  }

  /** Distinct cgroup paths in the scrape's {@code id} labels under the pods' cgroup parent. */
  static List<String> cgroupIds(String body, String cgroupParent) {
    TreeSet<String> ids = new TreeSet<>();
    Matcher m = ID.matcher(body);
    while (m.find()) {
      if (m.group(1).startsWith(cgroupParent + "/")) {
        ids.add(m.group(1));
      }
    }
    return List.copyOf(ids);
  }

  /** Reads every file of every cgroup and sums every number in it (a parse, minimal). */
  static long minimalRead(List<String> cgroups) {
    long total = 0;
    for (String cgroup : cgroups) {
      String rel = cgroup.substring(1);
      for (List<String> group : FILES) {
        Path dir = CGROUP_ROOT.resolve(group.get(0)).resolve(rel);
        for (int f = 1; f < group.size(); f++) {
          byte[] bytes;
          try {
            bytes = Files.readAllBytes(dir.resolve(group.get(f)));
          } catch (IOException e) {
            total--; // missing file: berth leaves the field empty, the reader moves on too
            continue;
          }
          long n = 0;
          boolean inNumber = false;
          for (byte b : bytes) {
            if (b >= '0' && b <= '9') {
              n = n * 10 + (b - '0');
              inNumber = true;
            } else if (inNumber) {
              total += n;
              n = 0;
              inNumber = false;
            }
          }
          total += n;
        }
      }
    }
    return total;
  }

  private static String get(URI uri) throws IOException {
    HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
    c.setConnectTimeout(5_000);
    c.setReadTimeout(30_000);
    try (InputStream in = c.getInputStream()) {
      if (c.getResponseCode() != 200) {
        throw new IOException("GET " + uri + ": " + c.getResponseCode());
      }
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private static void awaitNoSandboxes(RuntimeService rt, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline && !rt.listPodSandbox(PodSandboxFilter.all()).isEmpty()) {
      Thread.sleep(200);
    }
  }

  /** The JVM's CPU time: the sum over its live platform threads (nanosecond clocks). */
  static final class CpuClock {
    private final com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    private final java.util.Map<Long, Long> last = new java.util.HashMap<>();

    /** Total CPU nanoseconds of the threads alive now, plus what exited threads had used. */
    synchronized long total() {
      long[] ids = mx.getAllThreadIds();
      long[] times = mx.getThreadCpuTime(ids);
      long sum = 0;
      for (int i = 0; i < ids.length; i++) {
        if (times[i] >= 0) {
          last.put(ids[i], times[i]);
        }
      }
      for (long t : last.values()) {
        sum += t;
      }
      return sum;
    }
  }
}
