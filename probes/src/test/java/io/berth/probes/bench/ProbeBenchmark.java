package io.berth.probes.bench;

import io.berth.probes.ContainerProbes;
import io.berth.probes.ContainerState;
import io.berth.probes.EventLoopProbeScheduler;
import io.berth.probes.PodRef;
import io.berth.probes.ProbeHandler;
import io.berth.probes.ProbeManager;
import io.berth.probes.ProbeMetrics;
import io.berth.probes.ProbeResults;
import io.berth.probes.ProbeSpec;
import io.berth.probes.Prober;
import io.berth.probes.prober.ExecProber;
import io.berth.probes.prober.GrpcProber;
import io.berth.probes.prober.HandlerProber;
import io.berth.probes.prober.HttpProber;
import io.berth.probes.prober.ProbeTransport;
import io.berth.probes.prober.TcpProber;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Probes per second on one event loop thread against loopback servers, beside a minimal blocking
 * client doing the same connections in the same run. Not a test: run it by hand (module README).
 *
 * <p>berth: N readiness workers with periodSeconds 1 on one {@link ProbeManager} (N probes per
 * second, first ticks jittered), every probe on one Netty epoll thread; its CPU is that thread's
 * CPU time (user + system). Anchor: the same number of connect+reset (TCP) or
 * connect+GET+read+reset (HTTP) per second, paced, on 4 platform threads with blocking sockets; its
 * CPU is theirs. The servers' CPU per probe is shown apart. Latency is from the start of a probe to
 * its result.
 *
 * <p>Arguments: {@code [rate=10000] [seconds=2] [kinds=tcp,http] [loops=1]}; with more loops the
 * workers are sharded over that many {@link ProbeManager}s, one per loop, and berth's CPU is the
 * sum over the loop threads.
 */
public final class ProbeBenchmark {
  private static final int ANCHOR_THREADS = 4;
  private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

  record Row(
      String kind,
      String client,
      long probes,
      long failures,
      double seconds,
      double cpuMicros,
      double serverCpuMicros,
      double p50Ms,
      double p99Ms,
      double maxMs,
      long fdsBefore,
      long fdsAfter) {
    static final String HEADER =
        String.format(
            "%-5s %-7s %8s %6s %9s %10s %10s %8s %8s %8s %s",
            "kind",
            "client",
            "probes",
            "fail",
            "probes/s",
            "cpu µs/pr",
            "srv µs/pr",
            "p50 ms",
            "p99 ms",
            "max ms",
            "open fds before -> after");

    @Override
    public String toString() {
      return String.format(
          "%-5s %-7s %8d %6d %9.0f %10.1f %10.1f %8.3f %8.3f %8.3f %6d -> %d",
          kind,
          client,
          probes,
          failures,
          probes / seconds,
          cpuMicros,
          serverCpuMicros,
          p50Ms,
          p99Ms,
          maxMs,
          fdsBefore,
          fdsAfter);
    }
  }

  /** Failures the workers counted, then probe runs shed per reason (late start, result, lag). */
  private static double[] overloadCounts(io.micrometer.core.instrument.MeterRegistry r) {
    return new double[] {
      sum(r.find("prober.probe").tag("result", "failed").counters()),
      sum(r.find("berth.prober.probes.shed").tag("reason", "late_start").counters()),
      sum(r.find("berth.prober.probes.shed").tag("reason", "late_result").counters()),
      sum(r.find("berth.prober.probes.shed").tag("reason", "loop_lag").counters())
    };
  }

  private static double sum(java.util.Collection<io.micrometer.core.instrument.Counter> counters) {
    return counters.stream().mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
  }

  /** Latencies and outcomes recorded while the measurement window is open. */
  static final class Window {
    final long[] nanos;
    final long[] ends;
    final AtomicInteger n = new AtomicInteger();
    final AtomicLong failures = new AtomicLong();
    final java.util.concurrent.ConcurrentHashMap<String, AtomicInteger> reasons =
        new java.util.concurrent.ConcurrentHashMap<>();
    volatile long openedAt;
    volatile boolean open;

    Window(int capacity) {
      nanos = new long[capacity];
      ends = new long[capacity];
    }

    void open() {
      openedAt = System.nanoTime();
      open = true;
    }

    void record(long latency, boolean ok) {
      if (!open) {
        return;
      }
      int i = n.getAndIncrement();
      if (i < nanos.length) {
        nanos[i] = latency;
        ends[i] = System.nanoTime() - openedAt;
      }
      if (!ok) {
        failures.incrementAndGet();
      }
    }

    int count() {
      return Math.min(n.get(), nanos.length);
    }

    /** Counts a failure by its message (port numbers masked), to say why probes fail. */
    void failed(String message) {
      reasons
          .computeIfAbsent(
              String.valueOf(message).replaceAll(":\\d+", ":N"), k -> new AtomicInteger())
          .incrementAndGet();
    }

    /** The three most frequent failure messages with their counts, or "none". */
    String topFailures() {
      return reasons.entrySet().stream()
          .sorted((a, b) -> b.getValue().get() - a.getValue().get())
          .limit(3)
          .map(e -> e.getValue().get() + "× " + e.getKey())
          .reduce((a, b) -> a + "; " + b)
          .orElse("none");
    }

    /**
     * With {@code -Dbench.timeline=true}: per 100 ms of the window (by result time), how many
     * results, their p99 and max, to tell a steady queue from bursts after pauses.
     */
    void printTimeline(String label) {
      if (!Boolean.getBoolean("bench.timeline")) {
        return;
      }
      int count = count();
      var slices = new java.util.TreeMap<Long, List<Long>>();
      for (int i = 0; i < count; i++) {
        slices.computeIfAbsent(ends[i] / 100_000_000L, k -> new ArrayList<>()).add(nanos[i]);
      }
      var line = new StringBuilder("(" + label + " timeline, per 100 ms: n/p99/max ms)");
      slices.forEach(
          (slice, l) -> {
            l.sort(null);
            line.append(
                String.format(
                    " %d:%d/%.1f/%.1f",
                    slice,
                    l.size(),
                    l.get(Math.max(0, (int) Math.ceil(0.99 * l.size()) - 1)) / 1e6,
                    l.get(l.size() - 1) / 1e6));
          });
      System.out.println(line);
    }

    double percentileMs(double p) {
      int count = count();
      if (count == 0) {
        return Double.NaN;
      }
      var sorted = Arrays.copyOf(nanos, count);
      Arrays.sort(sorted);
      return sorted[Math.max(0, Math.min(count - 1, (int) Math.ceil(p * count) - 1))] / 1e6;
    }
  }

  public static void main(String[] args) throws Exception {
    int rate = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    var kinds = args.length > 2 ? args[2].split(",") : new String[] {"tcp", "http"};
    int loops = args.length > 3 ? Integer.parseInt(args[3]) : 1;
    System.out.printf(
        "berth probes benchmark: %d probes/s for %d s, %d CPUs, load %s, Java %s%n",
        rate,
        seconds,
        Runtime.getRuntime().availableProcessors(),
        Files.readString(Path.of("/proc/loadavg")).trim(),
        Runtime.version());
    var group = new MultiThreadIoEventLoopGroup(loops, EpollIoHandler.newFactory());
    var virtual = Executors.newVirtualThreadPerTaskExecutor();
    try (var servers = new LoopbackServers()) {
      // One ProbeManager per loop (shards); the default is one loop, i.e. one core.
      var schedulers = new ArrayList<EventLoopProbeScheduler>();
      var loopThreads = new long[loops];
      for (int i = 0; i < loops; i++) {
        var l = group.next();
        loopThreads[i] = l.submit(() -> Thread.currentThread().threadId()).get();
        schedulers.add(new EventLoopProbeScheduler(l, Clock.systemUTC()));
      }
      var transport = new ProbeTransport(group, virtual);
      var scheduler = schedulers.get(0);
      var prober =
          new HandlerProber(
              new TcpProber(transport),
              new HttpProber(transport, "kube-probe/1.32"),
              new GrpcProber(transport, "kube-probe/1.32"),
              new ExecProber(
                  (id, cmd, t) ->
                      CompletableFuture.failedFuture(new UnsupportedOperationException("no exec")),
                  scheduler));
      // A warm-up round first (JIT), unreported; then the measured round.
      for (int round = 0; round < 2; round++) {
        boolean warmUp = round == 0;
        int window = warmUp ? 1 : seconds;
        System.out.println(warmUp ? "(warm-up round)" : Row.HEADER);
        for (var kind : kinds) {
          boolean tcp = kind.equals("tcp");
          long serverThread = servers.serverThreadId;
          ProbeHandler handler =
              tcp
                  ? ProbeHandler.Tcp.of(servers.tcpPort())
                  : ProbeHandler.Http.get(servers.httpPort(), "/healthz");
          int r =
              rate; // The warm-up runs the same paths at the same rate, so C2 has the real profile.
          var b =
              berth(
                  kind,
                  handler,
                  prober,
                  schedulers,
                  transport,
                  loopThreads,
                  serverThread,
                  r,
                  window);
          var client = new AnchorClient(tcp ? servers.tcpPort() : servers.httpPort());
          var a = anchor(kind, tcp ? client::tcp : client::http, serverThread, r, window);
          if (!warmUp) {
            System.out.println(b);
            System.out.println(a);
            System.out.printf(
                "%-5s ratio   berth/anchor CPU per probe %.2f; p99 berth %.3f ms, anchor %.3f ms%n",
                kind, b.cpuMicros() / a.cpuMicros(), b.p99Ms(), a.p99Ms());
          }
        }
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      virtual.shutdownNow();
    }
  }

  private static Row berth(
      String kind,
      ProbeHandler handler,
      Prober prober,
      List<EventLoopProbeScheduler> schedulers,
      ProbeTransport transport,
      long[] loopThreads,
      long serverThread,
      int rate,
      int seconds)
      throws Exception {
    var window = new Window(rate * seconds * 2);
    // Times every run of the prober the workers use, through either of its entry points (the
    // workers bind their probe once with prepare() since session 6).
    Prober timed =
        new Prober() {
          @Override
          public java.util.concurrent.CompletionStage<io.berth.probes.ProbeResult> probe(
              ProbeHandler h, ProbeTarget target, java.time.Duration timeout) {
            long t0 = System.nanoTime();
            return timed(window, t0, prober.probe(h, target, timeout));
          }

          @Override
          public Prepared prepare(ProbeHandler h, ProbeTarget target) {
            var prepared = prober.prepare(h, target);
            return timeout -> {
              long t0 = System.nanoTime();
              return timed(window, t0, prepared.probe(timeout));
            };
          }
        };
    var results = new ProbeResults();
    var managers = new ArrayList<ProbeManager>();
    var shed = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    for (var scheduler : schedulers) {
      var metrics = new ProbeMetrics();
      metrics.bindTo(shed);
      managers.add(new ProbeManager(timed, results, metrics, scheduler, new SplittableRandom(1)));
    }
    var scheduler = schedulers.get(0);
    var spec = ProbeSpec.of(handler).withPeriodSeconds(1);
    var started = Instant.now().minusSeconds(3600);
    for (int i = 0; i < rate; i++) {
      var pod = new PodRef("uid-" + i, "bench", "pod-" + i);
      var manager = managers.get(i % managers.size());
      manager.addContainer(pod, "app", ContainerProbes.none().withReadiness(spec));
      manager.updateContainer(
          pod.uid(), "app", ContainerState.running("c-" + i, started, "127.0.0.1"));
    }
    long setup0 = System.nanoTime();
    for (var sched : schedulers) {
      var ready = new CompletableFuture<Void>();
      sched.execute(() -> ready.complete(null));
      ready.join();
    }
    System.out.printf(
        "(%s: %d workers set up in %.0f ms)%n",
        kind,
        managers.stream().mapToInt(ProbeManager::workerCount).sum(),
        (System.nanoTime() - setup0) / 1e6);
    // Setting up 10,000 workers (their meters above all) leaves tens of MB of new long-lived
    // objects and the previous phase's workers as garbage: a node does that once, not every few
    // seconds. Collect now so the window measures probing, not the set-up's GC debt.
    System.gc();
    Thread.sleep(1500); // The first probes are jittered over the first period.
    long fds0 = openFds();
    var lag = new LoopLag(scheduler);
    long cpu0 = cpu(loopThreads);
    long user0 = userCpu(loopThreads);
    long alloc0 = allocated(loopThreads);
    long srv0 = MX.getThreadCpuTime(serverThread);
    double[] counts0 = overloadCounts(shed);
    var gc = new GcPauses();
    long overflows0 = listenOverflows();
    window.open();
    Thread.sleep(seconds * 1000L);
    window.open = false;
    long overflows1 = listenOverflows();
    long overflows = overflows0 < 0 || overflows1 < 0 ? -1 : overflows1 - overflows0;
    gc.close();
    double[] counts1 = overloadCounts(shed);
    long cpu1 = cpu(loopThreads);
    long user1 = userCpu(loopThreads);
    long alloc1 = allocated(loopThreads);
    long srv1 = MX.getThreadCpuTime(serverThread);
    System.out.printf(
        "(%s: event loop lag %s; GC %s; loop allocated %.1f KB per probe; loop CPU per probe"
            + " %.1f µs user + %.1f µs system)%n",
        kind,
        lag.stop(),
        gc.summary(),
        (alloc1 - alloc0) / 1024.0 / Math.max(1, window.count()),
        (user1 - user0) / 1e3 / Math.max(1, window.count()),
        ((cpu1 - cpu0) - (user1 - user0)) / 1e3 / Math.max(1, window.count()));
    System.out.printf(
        "(%s: in the window, worker-counted failures %.0f; shed by overload control: late start"
            + " %.0f, late result %.0f, loop lag %.0f)%n",
        kind,
        counts1[0] - counts0[0],
        counts1[1] - counts0[1],
        counts1[2] - counts0[2],
        counts1[3] - counts0[3]);
    managers.forEach(ProbeManager::close);
    for (int i = 0; i < 300 && transport.openChannels() > 0; i++) {
      Thread.sleep(10);
    }
    results.drainTo(new ArrayList<>());
    window.printTimeline(kind + " berth");
    System.out.printf(
        "(%s: failures in the window: %s; listen queue overflows (host-wide): %d)%n",
        kind, window.topFailures(), overflows);
    int probes = window.count();
    return new Row(
        kind,
        "berth",
        probes,
        window.failures.get(),
        seconds,
        (cpu1 - cpu0) / 1e3 / probes,
        (srv1 - srv0) / 1e3 / probes,
        window.percentileMs(0.50),
        window.percentileMs(0.99),
        window.percentileMs(1.0),
        fds0,
        openFds());
  }

  private static java.util.concurrent.CompletionStage<io.berth.probes.ProbeResult> timed(
      Window window,
      long t0,
      java.util.concurrent.CompletionStage<io.berth.probes.ProbeResult> stage) {
    return stage.whenComplete(
        (r, e) -> {
          boolean ok = e == null && r.passed();
          window.record(System.nanoTime() - t0, ok);
          if (!ok && window.open) {
            window.failed(e != null ? e.toString() : r.message());
          }
        });
  }

  private static Row anchor(
      String kind, BooleanSupplier op, long serverThread, int rate, int seconds) throws Exception {
    var window = new Window(rate * seconds * 2);
    long interval = ANCHOR_THREADS * 1_000_000_000L / rate;
    var stop = new AtomicBoolean();
    var threads = new Thread[ANCHOR_THREADS];
    for (int t = 0; t < ANCHOR_THREADS; t++) {
      long offset = t * interval / ANCHOR_THREADS;
      threads[t] =
          Thread.ofPlatform()
              .name("anchor-" + t)
              .start(() -> pace(op, window, stop, offset, interval));
    }
    Thread.sleep(1000);
    long fds0 = openFds();
    long cpu0 = cpu(threads);
    long user0 = userCpu(threads);
    long srv0 = MX.getThreadCpuTime(serverThread);
    window.open();
    Thread.sleep(seconds * 1000L);
    window.open = false;
    long cpu1 = cpu(threads);
    long user1 = userCpu(threads);
    if (window.count() > 0) {
      System.out.printf(
          "(%s anchor: CPU per probe %.1f µs user + %.1f µs system)%n",
          kind,
          (user1 - user0) / 1e3 / window.count(),
          ((cpu1 - cpu0) - (user1 - user0)) / 1e3 / window.count());
    }
    long srv1 = MX.getThreadCpuTime(serverThread);
    stop.set(true);
    for (var t : threads) {
      t.join();
    }
    int probes = window.count();
    return new Row(
        kind,
        "anchor",
        probes,
        window.failures.get(),
        seconds,
        (cpu1 - cpu0) / 1e3 / probes,
        (srv1 - srv0) / 1e3 / probes,
        window.percentileMs(0.50),
        window.percentileMs(0.99),
        window.percentileMs(1.0),
        fds0,
        openFds());
  }

  /** One anchor thread: an operation every {@code interval}, open loop. */
  private static void pace(
      BooleanSupplier op, Window window, AtomicBoolean stop, long offset, long interval) {
    long next = System.nanoTime() + offset;
    while (!stop.get()) {
      next += interval;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      long t0 = System.nanoTime();
      boolean ok;
      try {
        ok = op.getAsBoolean();
      } catch (UncheckedIOException e) {
        ok = false; // A failed probe, counted like berth's.
      }
      window.record(System.nanoTime() - t0, ok);
    }
  }

  /** How late a 10 ms timer on the probe loop fires: the loop's queueing delay. */
  static final class LoopLag {
    private final EventLoopProbeScheduler scheduler;
    private final long[] lags = new long[100_000];
    private int n;
    private volatile boolean running = true;

    LoopLag(EventLoopProbeScheduler scheduler) {
      this.scheduler = scheduler;
      tick(System.nanoTime() + 10_000_000L);
    }

    private void tick(long due) {
      scheduler.schedule(
          java.time.Duration.ofNanos(Math.max(0, due - System.nanoTime())),
          () -> {
            if (n < lags.length) {
              lags[n++] = System.nanoTime() - due;
            }
            if (running) {
              tick(System.nanoTime() + 10_000_000L);
            }
          });
    }

    String stop() {
      running = false;
      int count = n; // read once: the event loop may still record a tick while this runs
      var sorted = Arrays.copyOf(lags, count);
      Arrays.sort(sorted);
      return count == 0
          ? "n/a"
          : String.format(
              "p50 %.3f ms, max %.3f ms over %d timers",
              sorted[count / 2] / 1e6, sorted[count - 1] / 1e6, count);
    }
  }

  private static long cpu(long[] threadIds) {
    long sum = 0;
    for (var id : threadIds) {
      sum += MX.getThreadCpuTime(id);
    }
    return sum;
  }

  /** User-mode CPU time of the loop threads (the rest of {@link #cpu} is the kernel's). */
  private static long userCpu(long[] threadIds) {
    long sum = 0;
    for (var id : threadIds) {
      sum += MX.getThreadUserTime(id);
    }
    return sum;
  }

  /** Bytes allocated so far by the loop threads (HotSpot's per-thread allocation counter). */
  private static long allocated(long[] threadIds) {
    long sum = 0;
    for (var id : threadIds) {
      sum += ((com.sun.management.ThreadMXBean) MX).getThreadAllocatedBytes(id);
    }
    return sum;
  }

  private static long userCpu(Thread[] threads) {
    long sum = 0;
    for (var t : threads) {
      sum += MX.getThreadUserTime(t.threadId());
    }
    return sum;
  }

  private static long cpu(Thread[] threads) {
    long sum = 0;
    for (var t : threads) {
      sum += MX.getThreadCpuTime(t.threadId());
    }
    return sum;
  }

  /**
   * The kernel's TcpExt ListenOverflows counter (host-wide, read-only): connections a full accept
   * queue turned away. Their SYN-ACK is retried after 1 s, so each one becomes a probe timeout. -1
   * when it cannot be read.
   */
  private static long listenOverflows() {
    List<String> lines;
    try {
      lines = Files.readAllLines(Path.of("/proc/net/netstat"));
    } catch (IOException e) {
      return -1; // e.g. EMFILE while the probes and servers hold every descriptor: still report
    }
    for (int i = 0; i + 1 < lines.size(); i++) {
      if (lines.get(i).startsWith("TcpExt:") && lines.get(i + 1).startsWith("TcpExt:")) {
        var names = lines.get(i).split(" ");
        var values = lines.get(i + 1).split(" ");
        for (int j = 1; j < names.length; j++) {
          if (names[j].equals("ListenOverflows")) {
            return Long.parseLong(values[j]);
          }
        }
      }
    }
    return -1;
  }

  private static long openFds() throws IOException {
    try (var s = Files.list(Path.of("/proc/self/fd"))) {
      return s.count();
    }
  }
}
