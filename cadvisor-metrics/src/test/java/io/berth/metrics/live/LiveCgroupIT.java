package io.berth.metrics.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.berth.metrics.ContainerRef;
import io.berth.metrics.PodRef;
import io.berth.metrics.Scrape;
import io.berth.metrics.StatsCollector;
import io.berth.metrics.cgroup.CgroupMode;
import io.berth.metrics.cgroup.CgroupReader;
import io.berth.metrics.exposition.CadvisorMetricsRenderer;
import io.berth.metrics.exposition.DeviceNames;
import io.berth.metrics.exposition.ResourceMetricsRenderer;
import io.berth.metrics.node.OshiNodeStatsSource;
import io.berth.metrics.procfs.NetDevReader;
import io.berth.metrics.stats.CgroupStats;
import io.berth.metrics.summary.SummaryBuilder;
import io.berth.metrics.summary.SummaryJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Reads cgroups this test creates on the real host (root, cgroup v1/hybrid): a 64 MiB-limited
 * cgroup holding ~30 MiB, and one with a CPU-burning child. Validates the rendered text with {@code
 * promtool check metrics}. Everything is removed afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiveCgroupIT {
  private static final long MIB = 1024 * 1024;

  private TestCgroups cgroups;
  private String memoryCgroup;
  private String cpuCgroup;
  private Process holder;
  private Process burner;
  private CgroupReader reader;

  @BeforeAll
  void setUp() throws Exception {
    assumeTrue(TestCgroups.available(), "needs root and writable cgroup v1 hierarchies");
    reader = CgroupReader.detect(Clock.systemUTC());
    assumeTrue(reader.mode() != CgroupMode.UNIFIED, "this IT creates v1 cgroups");
    cgroups = new TestCgroups("it");
    cgroups.create("");
    memoryCgroup = cgroups.create("c1");
    cpuCgroup = cgroups.create("c2");
    cgroups.write("memory", memoryCgroup, "memory.limit_in_bytes", Long.toString(64 * MIB));
    // Three 10 MiB shell variables: ~30 MiB of touched anonymous memory, peak below the limit.
    // The shell then blocks in the builtin `read` on its stdin pipe (no exec: that would free it).
    String chunk = "$(busybox head -c 10485760 /dev/zero | busybox tr '\\0' a)";
    holder =
        cgroups.start(memoryCgroup, "a=" + chunk + "; b=" + chunk + "; c=" + chunk + "; read x");
    burner = cgroups.start(cpuCgroup, "while :; do :; done");
    cgroups.awaitMember(memoryCgroup, holder.pid());
    cgroups.awaitMember(cpuCgroup, burner.pid());
    awaitWorkingSet(25 * MIB);
  }

  @AfterAll
  void tearDown() throws Exception {
    if (cgroups != null) {
      cgroups.close();
    }
  }

  private void awaitWorkingSet(long atLeast) throws InterruptedException {
    OptionalLong ws = OptionalLong.empty();
    for (int i = 0; i < 500; i++) {
      ws = reader.read(memoryCgroup).orElseThrow().memory().workingSet();
      if (ws.orElse(0) >= atLeast) {
        return;
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException(
        "memory holder in "
            + memoryCgroup
            + " reached only "
            + ws
            + " bytes; alive="
            + holder.isAlive());
  }

  @Test
  void memoryLimitAndWorkingSet() {
    CgroupStats s = reader.read(memoryCgroup).orElseThrow();
    System.out.printf(
        "live memory cgroup: limit=%s workingSet=%s rss=%s%n",
        s.spec().memoryLimit(), s.memory().workingSet(), s.memory().rss());
    assertThat(s.spec().memoryLimit()).hasValue(64 * MIB);
    assertThat(s.memory().workingSet().getAsLong()).isBetween(28 * MIB, 40 * MIB);
    assertThat(s.memory().rss().getAsLong()).isGreaterThan(28 * MIB);
    assertThat(s.processes().processes()).hasValue(1);
    assertThat(s.processes().threads()).hasValue(1);
    assertThat(s.memory().oomKills()).hasValue(0);
    if (cgroups.unifiedMount().isPresent()) {
      assertThat(s.pressure().present()).isTrue(); // hybrid: PSI from the unified hierarchy
    }
  }

  /**
   * The counter is the kernel's: over the same interval it matches the burner's own utime+stime
   * from /proc. The rate itself depends on the machine's load. A single-threaded busy loop gets
   * about one core on an idle machine, never more, and less under contention, so the rate is only
   * bounded here.
   */
  @Test
  void cpuCounterMatchesTheKernelsAccountingOfTheBurner() throws Exception {
    long procBefore = procCpuNanos(burner.pid());
    CgroupStats before = reader.read(cpuCgroup).orElseThrow();
    long t0 = System.nanoTime();
    Thread.sleep(2000);
    CgroupStats after = reader.read(cpuCgroup).orElseThrow();
    long wall = System.nanoTime() - t0;
    long procAfter = procCpuNanos(burner.pid());
    long berth = after.cpu().usageNanos().getAsLong() - before.cpu().usageNanos().getAsLong();
    long kernel = procAfter - procBefore;
    double cores = berth / (double) wall;
    System.out.printf(
        "live cpu cgroup: %.3f cores over %d ms; /proc says %.3f%n",
        cores, wall / 1_000_000, kernel / (double) wall);
    // /proc counts in clock ticks (10 ms): allow 10 % plus two ticks of rounding.
    assertThat((double) berth)
        .isCloseTo((double) kernel, org.assertj.core.data.Offset.offset(0.1 * kernel + 20_000_000));
    assertThat(cores).isGreaterThan(0.2).isLessThan(1.05);
    long userSystem = after.cpu().userNanos().getAsLong() + after.cpu().systemNanos().getAsLong();
    assertThat((double) userSystem)
        .isCloseTo(
            after.cpu().usageNanos().getAsLong(),
            org.assertj.core.data.Percentage.withPercentage(20));
  }

  /** utime + stime of a process from /proc/<pid>/stat, in nanoseconds (clock ticks of 10 ms). */
  private static long procCpuNanos(long pid) throws IOException, InterruptedException {
    String stat = java.nio.file.Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
    return ticks * (1_000_000_000L / clockTicksPerSecond());
  }

  private static long clockTicksPerSecond() throws IOException, InterruptedException {
    Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    p.waitFor(10, TimeUnit.SECONDS);
    return Long.parseLong(out);
  }

  @Test
  void vanishedCgroupReadsEmpty() throws IOException, InterruptedException {
    String gone = cgroups.create("vanishing");
    assertThat(reader.read(gone)).isPresent();
    for (String c : TestCgroups.CONTROLLERS) {
      java.nio.file.Files.delete(TestCgroups.ROOT.resolve(c).resolve(gone.substring(1)));
    }
    cgroups.unifiedMount().ifPresent(u -> deleteQuietly(u.resolve(gone.substring(1))));
    assertThat(reader.read(gone)).isEmpty();
  }

  private static void deleteQuietly(Path p) {
    try {
      java.nio.file.Files.deleteIfExists(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void renderedEndpointsPassPromtoolAndSummaryBuilds() throws Exception {
    Instant start = Instant.now().minusSeconds(5);
    PodRef pod =
        new PodRef(
            "it-uid",
            "it-pod",
            "berth-it",
            cgroups.parent(),
            OptionalLong.of(holder.pid()),
            start,
            List.of(
                new ContainerRef("holder", "c1", "busybox:it", memoryCgroup, start),
                new ContainerRef("burner", "c2", "busybox:it", cpuCgroup, start)));
    StatsCollector collector =
        new StatsCollector(
            reader,
            new NetDevReader(Path.of("/proc")),
            new OshiNodeStatsSource(Path.of("/var/lib"), Clock.systemUTC()),
            () -> List.of(pod),
            Clock.systemUTC(),
            Duration.ofMillis(100));
    Scrape first = collector.scrape();
    Thread.sleep(300);
    Scrape scrape = collector.scrape();
    assertThat(scrape.previous()).contains(first.current());
    assertThat(scrape.current().errors()).isFalse();

    String cadvisor =
        new CadvisorMetricsRenderer(DeviceNames.sysfs(Path.of("/sys"))).render(scrape.current());
    String resource = new ResourceMetricsRenderer().render(scrape.current());
    assertThat(cadvisor)
        .contains("container_spec_memory_limit_bytes{container=\"holder\"")
        .contains("container_network_receive_bytes_total{container=\"\"");
    assertThat(resource).contains("node_cpu_usage_seconds_total ");
    assertPromtoolAccepts(cadvisor);
    assertPromtoolAccepts(resource);

    var summary = new SummaryBuilder("it-node").build(scrape);
    var burnerStats = summary.pods().get(0).containers().get(1).cpu();
    // busy (well above idle), and never more than one core for one thread (plus sampling jitter);
    // how close to one core depends on the machine's load
    assertThat(burnerStats.usageNanoCores()).isBetween(100_000_000L, 1_100_000_000L);
    assertThat(new SummaryJson().write(summary)).contains("\"usageNanoCores\"");
  }

  /**
   * Runs {@code promtool check metrics}. Exit 0 is clean; exit 3 means lint findings, accepted only
   * for cAdvisor's own name {@code container_memory_failcnt} (a counter without _total).
   */
  static void assertPromtoolAccepts(String text) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError(
          "promtool not found: install the Debian package 'prometheus' (apt-get install -y prometheus)",
          e);
    }
    p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String output = readAll(p.getInputStream());
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    int rc = p.exitValue();
    List<String> findings = new ArrayList<>();
    for (String line : output.split("\n")) {
      if (!line.isBlank()
          && !line.equals(
              "container_memory_failcnt counter metrics should have \"_total\" suffix")) {
        findings.add(line);
      }
    }
    assertThat(findings).as("promtool findings (rc %d)", rc).isEmpty();
    assertThat(rc).isIn(0, 3);
  }

  private static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferTo(out);
    return out.toString(StandardCharsets.UTF_8);
  }
}
