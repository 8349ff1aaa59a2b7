package io.berth.bench;

import io.berth.agent.stats.NodeMetricsEndpoints;
import io.berth.cri.ContainerFilter;
import io.berth.cri.ContainerState;
import io.berth.cri.CriRuntime;
import io.berth.cri.PodSandbox;
import io.berth.cri.PodSandboxFilter;
import io.berth.cri.RuntimeService;
import io.berth.metrics.cgroup.CgroupV1Reader;
import io.berth.tests.fixtures.ContainerdLauncher;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * A full {@code /metrics/cadvisor} scrape of an in-process berth running {@code --pods} (default
 * 110, the kubelet's max) pods of one busybox container each on a private containerd, beside a
 * minimal reader of the same cgroup files for the same cgroups in the same run.
 *
 * <p>Each iteration waits until berth's collection cache ({@link
 * NodeMetricsEndpoints#COLLECTION_MAX_AGE}) has expired, so every measured scrape reads every
 * cgroup again (what a Prometheus scraping every 10–15 s gets). The minimal reader takes the cgroup
 * paths from the scrape's own {@code id} labels and reads, with {@code Files.readAllBytes}, the
 * files berth reads on such a cold scrape ({@link CgroupV1Reader#FILES_PER_READ}, {@code cpu.stat}
 * where a quota is set, and each sandbox's {@code /proc/<pid>/net/dev}), summing every number in
 * them; it builds no model and no text. berth keeps {@link CgroupV1Reader#STATIC_FILES} for 60 s,
 * so those are not part of a cold scrape; a second reader of all files (what berth read before that
 * cache) runs for context. berth keeps the per-scrape cgroup files open and re-reads them with a
 * {@code pread} at offset 0, so a third reader does the same with descriptors it opened once (and
 * reads {@code net/dev} one-shot, as berth does): the comparison is shown both ways. The request
 * carries Prometheus' {@code Accept} and {@code Accept-Encoding: gzip} headers, so berth gzips the
 * answer; a fifth side scrapes the same endpoint with {@code Accept-Encoding: identity}, for the
 * cost of gzip. The five rotate which goes first.
 *
 * <p>CPU per scrape is the sum over every JVM platform thread's CPU time across the request
 * (berth's virtual-thread handlers run on carrier threads, so they are included), which also counts
 * the benchmark's own HTTP client and any berth background work that happens to coincide: stricter
 * on berth, never kinder. The anchor is measured the same way.
 *
 * <p>Usage: {@code bench/run cadvisor [--pods N] [--scrapes N]}.
 */
public final class CadvisorScrapeBench {
  /** Every file the reader knew (before the static cache): the old anchor, for context. */
  private static final List<String> ALL_FILES =
      Stream.of(
              CgroupV1Reader.FILES_PER_READ,
              List.of(CgroupV1Reader.FILE_WITH_QUOTA),
              CgroupV1Reader.STATIC_FILES)
          .flatMap(List::stream)
          .toList();

  private static final String PROMETHEUS_ACCEPT =
      "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
          + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

  private static final Pattern ID = Pattern.compile("[{,]id=\"([^\"]+)\"");
  private static final Pattern PID = Pattern.compile("\"pid\":\\s*(\\d+)");
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
            sandboxPids(cri.runtime()),
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

  private static void run(
      URI uri, String cgroupParent, List<Long> sandboxPids, int pods, int scrapes, String[] args)
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
    List<Path> coldFiles = coldScrapeFiles(cgroups, sandboxPids);
    List<Path> allFiles = files(cgroups, ALL_FILES);
    // the files berth holds open: all but net/dev, which it reads one-shot
    List<Path> oneShot = coldFiles.stream().filter(f -> f.startsWith("/proc")).toList();
    Set<Path> notHeld = new HashSet<>(oneShot);
    List<FileChannel> heldFiles =
        openAll(coldFiles.stream().filter(f -> !notHeld.contains(f)).toList());
    try {
      measure(
          uri, cpu, body, cgroups, coldFiles, allFiles, heldFiles, oneShot, pods, scrapes, args);
    } finally {
      for (FileChannel c : heldFiles) {
        c.close();
      }
    }
  }

  private static void measure(
      URI uri,
      CpuClock cpu,
      String body,
      List<String> cgroups,
      List<Path> coldFiles,
      List<Path> allFiles,
      List<FileChannel> heldFiles,
      List<Path> oneShot,
      int pods,
      int scrapes,
      String[] args)
      throws Exception {
    for (int i = 0; i < 3; i++) {
      Thread.sleep(NodeMetricsEndpoints.COLLECTION_MAX_AGE.toMillis() + 50);
      get(uri);
      minimalRead(coldFiles);
      minimalRead(allFiles);
      heldRead(heldFiles);
      minimalRead(oneShot);
    }
    System.out.printf(Locale.ROOT, "load average before: %s%n", loadAverage());
    Samples berthWall = new Samples();
    Samples berthCpu = new Samples();
    Samples rawWall = new Samples();
    Samples rawCpu = new Samples();
    Samples allWall = new Samples();
    Samples allCpu = new Samples();
    Samples heldWall = new Samples();
    Samples heldCpu = new Samples();
    Samples plainWall = new Samples();
    Samples plainCpu = new Samples();
    long sink = 0;
    int bytes = 0;
    for (int i = 0; i < scrapes; i++) {
      for (int side = 0; side < 5; side++) {
        int which = (i + side) % 5;
        if (which == 0 || which == 4) {
          // past berth's 1 s collection cache: every measured scrape reads the cgroups again
          Thread.sleep(NodeMetricsEndpoints.COLLECTION_MAX_AGE.toMillis() + 50);
        }
        long c0 = cpu.total();
        long w0 = System.nanoTime();
        switch (which) {
          case 0 -> bytes = get(uri).length();
          case 1 -> sink += minimalRead(coldFiles);
          case 2 -> sink += minimalRead(allFiles);
          case 3 -> sink += heldRead(heldFiles) + minimalRead(oneShot);
          default -> sink += get(uri, false).length();
        }
        long w1 = System.nanoTime();
        long c1 = cpu.total();
        Samples[] wall = {berthWall, rawWall, allWall, heldWall, plainWall};
        Samples[] used = {berthCpu, rawCpu, allCpu, heldCpu, plainCpu};
        wall[which].add(w1 - w0);
        used[which].add(c1 - c0);
      }
    }
    String loadAfter = loadAverage();
    long series = body.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).count();
    System.out.printf(
        Locale.ROOT,
        "%n/metrics/cadvisor: %d pods, %d cgroups, %d series, %d bytes, %d scrapes (sink %d)%n"
            + "anchor: the %d files berth reads on a cold scrape (%d per cgroup, cpu.stat only with"
            + " a CFS quota, plus /proc/<sandbox pid>/net/dev per pod); berth keeps %s per cgroup"
            + " for 60 s.%nold anchor for context: all %d files (%d per cgroup) berth read before"
            + " the static cache.%nload average after: %s%n%n",
        pods,
        cgroups.size(),
        series,
        bytes,
        scrapes,
        sink,
        coldFiles.size(),
        CgroupV1Reader.FILES_PER_READ.size(),
        CgroupV1Reader.STATIC_FILES,
        allFiles.size(),
        ALL_FILES.size(),
        loadAfter);
    System.out.println("| measurement | berth ms | minimal reader ms | berth/reader |");
    System.out.println("|---|---:|---:|---:|");
    BenchResults results = new BenchResults("cadvisor", args);
    String anchor = "minimal reader (readAllBytes + parse numbers), files berth reads cold";
    String where = pods + " pods";
    results.figure(
        row("scrape-wall-p50", "scrape latency p50, " + where, berthWall, rawWall, 50)
            .withTargets(Target.atMost(50, "ms"), Target.ratioAtMost(2)));
    results.figure(row("scrape-wall-p99", "scrape latency p99, " + where, berthWall, rawWall, 99));
    results.figure(
        row("scrape-cpu-p50", "CPU per scrape p50, " + where, berthCpu, rawCpu, 50)
            .withTargets(Target.ratioAtMost(2)));
    results.figure(row("scrape-cpu-p99", "CPU per scrape p99, " + where, berthCpu, rawCpu, 99));
    row("all-files-wall-p50", "(context) scrape p50 vs all-files reader", berthWall, allWall, 50);
    row("all-files-cpu-p50", "(context) CPU p50 vs all-files reader", berthCpu, allCpu, 50);
    String held = "pread of the same files through descriptors opened once, same run";
    results.figure(
        row(
            "held-wall-p50",
            "(context) scrape p50 vs a reader of the same files through held descriptors",
            berthWall,
            heldWall,
            50,
            held));
    results.figure(
        row(
            "held-cpu-p50",
            "(context) CPU p50 vs a reader of the same files through held descriptors",
            berthCpu,
            heldCpu,
            50,
            held));
    String plain = "the same scrape without Accept-Encoding: gzip (identity), same run";
    results.figure(
        row(
            "gzip-wall-p50",
            "(context) scrape p50 gzipped, as Prometheus asks, vs identity",
            berthWall,
            plainWall,
            50,
            plain));
    results.figure(
        row(
            "gzip-cpu-p50",
            "(context) CPU p50 gzipped (berth's gzip and the client's gunzip) vs identity",
            berthCpu,
            plainCpu,
            50,
            plain));
    results
        .series("berth scrape ms", berthWall.millis())
        .series("minimal reader ms", rawWall.millis())
        .note(
            ("%d cgroups, %d series, %d bytes per scrape; anchor: %s (%d files; all %d files: %.1f"
                    + " ms p50); load %s")
                .formatted(
                    cgroups.size(),
                    series,
                    bytes,
                    anchor,
                    coldFiles.size(),
                    allFiles.size(),
                    allWall.percentileMillis(50),
                    loadAfter))
        .writeIfRequested();
  }

  /** What berth reads per cgroup on a cold scrape, plus each sandbox's net/dev. */
  static List<Path> coldScrapeFiles(List<String> cgroups, List<Long> sandboxPids) {
    List<Path> files = new ArrayList<>(files(cgroups, CgroupV1Reader.FILES_PER_READ));
    for (String cgroup : cgroups) {
      Path quota = CGROUP_ROOT.resolve("cpu" + cgroup).resolve("cpu.cfs_quota_us");
      try {
        if (Long.parseLong(Files.readString(quota).trim()) > 0) {
          files.add(CGROUP_ROOT.resolve(CgroupV1Reader.FILE_WITH_QUOTA.replace("/", cgroup + "/")));
        }
      } catch (IOException | NumberFormatException e) {
        // no quota file: berth reads no cpu.stat either
      }
    }
    for (long pid : sandboxPids) {
      files.add(Path.of("/proc", Long.toString(pid), "net", "dev"));
    }
    return files;
  }

  /**
   * Opens every file once (what a reader that keeps descriptors does); files that cannot be opened
   * are left out, as berth leaves their fields empty.
   */
  static List<FileChannel> openAll(List<Path> files) {
    List<FileChannel> open = new ArrayList<>(files.size());
    for (Path file : files) {
      try {
        open.add(FileChannel.open(file, StandardOpenOption.READ));
      } catch (IOException e) {
        // missing file: nothing to hold
      }
    }
    return open;
  }

  /** Re-reads every held file from offset 0 (seq_file regenerates it) and sums its numbers. */
  static long heldRead(List<FileChannel> files) {
    ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
    byte[] bytes = new byte[buffer.capacity()];
    long total = 0;
    for (FileChannel file : files) {
      buffer.clear();
      int n;
      try {
        n = Math.max(0, file.read(buffer, 0));
      } catch (IOException e) {
        total--;
        continue;
      }
      buffer.get(0, bytes, 0, n);
      total += sumNumbers(bytes, n);
    }
    return total;
  }

  /** {@code controller/file} names resolved for each cgroup. */
  static List<Path> files(List<String> cgroups, List<String> names) {
    List<Path> files = new ArrayList<>(cgroups.size() * names.size());
    for (String cgroup : cgroups) {
      for (String name : names) {
        int slash = name.indexOf('/');
        files.add(
            CGROUP_ROOT
                .resolve(name.substring(0, slash) + cgroup)
                .resolve(name.substring(slash + 1)));
      }
    }
    return files;
  }

  private static List<Long> sandboxPids(RuntimeService rt) throws IOException {
    List<Long> pids = new ArrayList<>();
    for (PodSandbox s : rt.listPodSandbox(PodSandboxFilter.all())) {
      String info = rt.podSandboxStatus(s.id(), true).info().get("info");
      Matcher m = PID.matcher(info == null ? "" : info);
      if (m.find()) {
        pids.add(Long.parseLong(m.group(1)));
      }
    }
    return pids;
  }

  private static String loadAverage() throws IOException {
    return Files.readString(Path.of("/proc/loadavg")).trim();
  }

  private static Figure row(String id, String label, Samples berth, Samples anchor, int p) {
    return row(id, label, berth, anchor, p, "minimal reader of the same cgroup files, same run");
  }

  private static Figure row(
      String id, String label, Samples berth, Samples anchor, int p, String anchorName) {
    double b = berth.percentileMillis(p);
    double a = anchor.percentileMillis(p);
    System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.2f |%n", label, b, a, b / a);
    return Figure.of(id, label, "ms", b, a, anchorName);
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

  /** Reads every file and sums every number in it (a parse, minimal). */
  static long minimalRead(List<Path> files) {
    long total = 0;
    for (Path file : files) {
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(file);
      } catch (IOException e) {
        total--; // missing file: berth leaves the field empty, the reader moves on too
        continue;
      }
      total += sumNumbers(bytes, bytes.length);
    }
    return total;
  }

  /** The sum of the decimal numbers in {@code bytes[0, length)} (a minimal parse). */
  static long sumNumbers(byte[] bytes, int length) {
    long total = 0;
    long n = 0;
    boolean inNumber = false;
    for (int i = 0; i < length; i++) {
      byte b = bytes[i];
      if (b >= '0' && b <= '9') {
        n = n * 10 + (b - '0');
        inNumber = true;
      } else if (inNumber) {
        total += n;
        n = 0;
        inNumber = false;
      }
    }
    return total + n;
  }

  private static String get(URI uri) throws IOException {
    return get(uri, true);
  }

  /** A scrape; {@code gzip}: with Prometheus' {@code Accept-Encoding: gzip}, else identity. */
  private static String get(URI uri, boolean gzip) throws IOException {
    HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
    // what Prometheus 2.x sends when scraping (scrape.go): text format preferred after OpenMetrics
    c.setRequestProperty("Accept", PROMETHEUS_ACCEPT);
    c.setRequestProperty("Accept-Encoding", gzip ? "gzip" : "identity");
    c.setConnectTimeout(5_000);
    c.setReadTimeout(30_000);
    try (InputStream raw = c.getInputStream();
        InputStream in =
            "gzip".equalsIgnoreCase(c.getContentEncoding()) ? new GZIPInputStream(raw) : raw) {
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
