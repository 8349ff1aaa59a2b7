package io.berth.bench;

import io.berth.agent.probe.CriExecRunner;
import io.berth.cri.CriRuntime;
import io.berth.cri.PodSandboxConfig;
import io.berth.cri.RuntimeService;
import io.berth.probes.EventLoopProbeScheduler;
import io.berth.probes.prober.ExecProber;
import io.berth.tests.fixtures.ContainerdLauncher;
import io.berth.tests.fixtures.CriPods;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The cost an exec probe adds beyond the runtime's ExecSync: the same command in the same
 * container, alternately as an exec probe (ExecProber → CriExecRunner → ExecSync) and as a bare
 * ExecSync through berth's client (the anchor). Usage: {@code bench/run exec-probe [--probes N]}.
 */
public final class ExecProbeBench {
  private ExecProbeBench() {}

  public static void main(String[] args) throws Exception {
    int n = 100;
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
      ExecProber prober =
          new ExecProber(
              new CriExecRunner(cri::runtime),
              new EventLoopProbeScheduler(loop.next(), Clock.systemUTC()));
      List<String> cmd = List.of("true");
      Duration timeout = Duration.ofSeconds(5);
      Samples probe = new Samples();
      Samples bare = new Samples();
      for (int i = 0; i < n + 10; i++) {
        boolean record = i >= 10; // warm-up
        long a = System.nanoTime();
        var result = prober.probe(id, cmd, timeout).toCompletableFuture().get(30, TimeUnit.SECONDS);
        long b = System.nanoTime();
        rt.execSync(id, cmd, timeout);
        long c = System.nanoTime();
        if (!result.passed()) {
          throw new IllegalStateException("exec probe failed: " + result);
        }
        if (record) {
          probe.add(b - a);
          bare.add(c - b);
        }
      }
      rt.stopPodSandbox(podId);
      rt.removePodSandbox(podId);
      System.out.printf(
          Locale.ROOT, "exec probe vs bare ExecSync, %d each, same container, `true`%n%n", n);
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
          "| overhead p50 | %.2f | |%n",
          probe.percentileMillis(50) - bare.percentileMillis(50));
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
                      "exec probe overhead beyond ExecSync, p50",
                      "ms",
                      probe.percentileMillis(50) - bare.percentileMillis(50),
                      Double.NaN,
                      anchor)
                  .withTargets(Target.atMost(1, "ms")))
          .writeIfRequested();
    } finally {
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }
}
