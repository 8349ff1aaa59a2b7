package io.berth.bench;

import io.berth.agent.probe.CriExecRunner;
import io.berth.cri.CriRuntime;
import io.berth.cri.PodSandboxConfig;
import io.berth.cri.RuntimeService;
import io.berth.probes.EventLoopProbeScheduler;
import io.berth.probes.prober.ExecProber;
import io.berth.probes.prober.ExecRunner;
import io.berth.tests.fixtures.ContainerdLauncher;
import io.berth.tests.fixtures.CriPods;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The cost an exec probe adds beyond the runtime's ExecSync: the same command in the same
 * container, as an exec probe (ExecProber → CriExecRunner → ExecSync) and as a bare ExecSync
 * through berth's client (the anchor). Usage: {@code bench/run exec-probe [--probes N]}.
 *
 * <p>ExecSync itself takes tens of milliseconds here and varies by several, so comparing two
 * medians of separate samples cannot resolve a sub-millisecond overhead. Instead each probe is
 * paired with a bare call next to it (the order alternating ABBA, so neither side is always first
 * after the other's effects on containerd), and the figure is the median of the paired differences
 * with a distribution-free 95 % confidence interval for it. Beside it, the in-process part measured
 * directly: from {@code probe()} to the ExecSync call starting on its virtual thread, plus from
 * ExecSync's return to the probe's result.
 */
public final class ExecProbeBench {
  private static final int WARM_UP = 20;

  private ExecProbeBench() {}

  public static void main(String[] args) throws Exception {
    int n = 200;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--probes")) {
        n = Integer.parseInt(args[++i]);
      } else {
        throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    try (ContainerdLauncher containerd = ContainerdLauncher.launch();
        CriRuntime cri = CriRuntime.connect(containerd.endpoint())) {
      RuntimeService rt = cri.runtime();
      CriPods pods = new CriPods(containerd);
      PodSandboxConfig sandbox = pods.sandbox("exec-bench");
      String podId = rt.runPodSandbox(sandbox);
      String id = rt.createContainer(podId, pods.shell("app", "sleep 3600"), sandbox);
      rt.startContainer(id);
      var marks = new CallMarks();
      ExecProber prober =
          new ExecProber(
              marks.around(
                  new CriExecRunner(
                      () -> {
                        marks.callStarted = System.nanoTime(); // on the call's virtual thread
                        return cri.runtime();
                      })),
              new EventLoopProbeScheduler(loop.next(), Clock.systemUTC()));
      List<String> cmd = List.of("true");
      Duration timeout = Duration.ofSeconds(5);
      Samples probe = new Samples();
      Samples bare = new Samples();
      long[] diffs = new long[n];
      long[] inProcess = new long[n];
      for (int i = 0; i < n + WARM_UP; i++) {
        boolean probeFirst = i % 4 == 0 || i % 4 == 3; // ABBA
        long probeNanos = 0;
        long bareNanos = 0;
        long inProc = 0;
        for (int side = 0; side < 2; side++) {
          if ((side == 0) == probeFirst) {
            long a = System.nanoTime();
            var result =
                prober.probe(id, cmd, timeout).toCompletableFuture().get(30, TimeUnit.SECONDS);
            long b = System.nanoTime();
            if (!result.passed()) {
              throw new IllegalStateException("exec probe failed: " + result);
            }
            probeNanos = b - a;
            inProc = (marks.callStarted - a) + (b - marks.callEnded);
          } else {
            long a = System.nanoTime();
            rt.execSync(id, cmd, timeout);
            bareNanos = System.nanoTime() - a;
          }
        }
        if (i >= WARM_UP) {
          probe.add(probeNanos);
          bare.add(bareNanos);
          diffs[i - WARM_UP] = probeNanos - bareNanos;
          inProcess[i - WARM_UP] = inProc;
        }
      }
      rt.stopPodSandbox(podId);
      rt.removePodSandbox(podId);
      Arrays.sort(diffs);
      Arrays.sort(inProcess);
      double median = ms(median(diffs));
      // Distribution-free CI for a median: order statistics n/2 ± 1.96·√n/2 (normal approximation
      // of the binomial), valid for any shape of the paired differences.
      int half = (int) Math.ceil(1.96 * Math.sqrt(n) / 2);
      double low = ms(diffs[Math.max(0, n / 2 - half)]);
      double high = ms(diffs[Math.min(n - 1, (n - 1) / 2 + half)]);
      double q1 = ms(diffs[n / 4]);
      double q3 = ms(diffs[(3 * n) / 4]);
      double inProcP50 = ms(median(inProcess));
      double inProcP99 = ms(inProcess[Math.min(n - 1, (int) Math.ceil(0.99 * n) - 1)]);
      System.out.printf(
          Locale.ROOT,
          "exec probe vs bare ExecSync, %d pairs (ABBA order), same container, `true`%n%n",
          n);
      System.out.println("| | p50 ms | p99 ms |");
      System.out.println("|---|---:|---:|");
      System.out.printf(
          Locale.ROOT,
          "| exec probe (berth) | %s | %s |%n",
          Samples.ms(probe.percentileMillis(50)),
          Samples.ms(probe.percentileMillis(99)));
      System.out.printf(
          Locale.ROOT,
          "| bare ExecSync (anchor) | %s | %s |%n",
          Samples.ms(bare.percentileMillis(50)),
          Samples.ms(bare.percentileMillis(99)));
      System.out.printf(
          Locale.ROOT,
          "%noverhead = probe − bare of each pair: median %.3f ms, 95%% CI [%.3f, %.3f] ms,"
              + " quartiles [%.3f, %.3f] ms%n",
          median,
          low,
          high,
          q1,
          q3);
      System.out.printf(
          Locale.ROOT,
          "in-process part (probe() → ExecSync call, ExecSync return → result): p50 %.3f ms,"
              + " p99 %.3f ms%n",
          inProcP50,
          inProcP99);
      String anchor = "bare ExecSync of the same command, same container";
      new BenchResults("exec-probe", args)
          .figure(
              Figure.of(
                  "exec-p50",
                  "exec probe p50",
                  "ms",
                  probe.percentileMillis(50),
                  bare.percentileMillis(50),
                  anchor))
          .figure(
              Figure.of(
                  "exec-p99",
                  "exec probe p99",
                  "ms",
                  probe.percentileMillis(99),
                  bare.percentileMillis(99),
                  anchor))
          .figure(
              Figure.of(
                      "exec-overhead-p50",
                      "exec probe overhead beyond ExecSync, median of paired differences",
                      "ms",
                      median,
                      Double.NaN,
                      anchor)
                  .withTargets(Target.atMost(1, "ms")))
          .figure(
              Figure.of(
                  "exec-overhead-in-process-p50",
                  "exec probe in-process overhead (around the ExecSync call), p50",
                  "ms",
                  inProcP50,
                  Double.NaN,
                  ""))
          .note(
              String.format(
                  Locale.ROOT,
                  "exec overhead: median of %d paired differences %.3f ms, 95%% CI [%.3f, %.3f],"
                      + " quartiles [%.3f, %.3f]; in-process part p50 %.3f ms, p99 %.3f ms",
                  n,
                  median,
                  low,
                  high,
                  q1,
                  q3,
                  inProcP50,
                  inProcP99))
          .writeIfRequested();
    } finally {
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  private static long median(long[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  /** When the current ExecSync call started (on its thread) and when the runner's stage ended. */
  private static final class CallMarks {
    volatile long callStarted;
    volatile long callEnded;

    ExecRunner around(ExecRunner runner) {
      return (containerId, command, timeout) ->
          runner
              .execSync(containerId, command, timeout)
              .whenComplete((r, e) -> callEnded = System.nanoTime());
    }
  }
}
