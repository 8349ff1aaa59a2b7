package io.berth.tests.probes;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.probe.CriExecRunner;
import io.berth.cri.CriRuntime;
import io.berth.cri.PodSandboxConfig;
import io.berth.cri.RuntimeService;
import io.berth.probes.EventLoopProbeScheduler;
import io.berth.probes.ProbeResult;
import io.berth.probes.prober.ExecProber;
import io.berth.tests.fixtures.ContainerdLauncher;
import io.berth.tests.fixtures.CriPods;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Exec probes through berth's CRI-backed runner against a real container. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExecProbeIT {
  private ContainerdLauncher containerd;
  private CriRuntime cri;
  private String sandboxId;
  private String containerId;
  private EventLoopGroup loop;
  private ExecProber prober;

  @BeforeAll
  void start() {
    containerd = ContainerdLauncher.launch();
    cri = CriRuntime.connect(containerd.endpoint());
    RuntimeService rt = cri.runtime();
    CriPods pods = new CriPods(containerd);
    PodSandboxConfig sandbox = pods.sandbox("probed");
    sandboxId = rt.runPodSandbox(sandbox);
    containerId = rt.createContainer(sandboxId, pods.shell("app", "sleep 3600"), sandbox);
    rt.startContainer(containerId);
    loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    prober =
        new ExecProber(
            new CriExecRunner(cri::runtime),
            new EventLoopProbeScheduler(loop.next(), Clock.systemUTC()));
  }

  @AfterAll
  void stop() {
    if (loop != null) {
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
    if (cri != null) {
      cri.runtime().stopPodSandbox(sandboxId);
      cri.runtime().removePodSandbox(sandboxId);
      cri.close();
    }
    if (containerd != null) {
      containerd.close();
    }
  }

  private ProbeResult probe(Duration timeout, String... command) throws Exception {
    return prober
        .probe(containerId, List.of(command), timeout)
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  @Test
  void exitZeroPassesAndOtherExitCodesFailWithTheOutput() throws Exception {
    assertThat(probe(Duration.ofSeconds(2), "sh", "-c", "test -d /tmp").outcome())
        .isEqualTo(ProbeResult.Outcome.SUCCESS);

    ProbeResult failed = probe(Duration.ofSeconds(2), "sh", "-c", "echo not ready yet; exit 3");
    assertThat(failed.outcome()).isEqualTo(ProbeResult.Outcome.FAILURE);
    assertThat(failed.message()).contains("not ready yet");
  }

  @Test
  void aCommandOverItsTimeoutFailsInTimeAndLeavesTheContainerUsable() throws Exception {
    long start = System.nanoTime();
    ProbeResult slow = probe(Duration.ofSeconds(1), "sleep", "30");
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(slow.outcome()).isEqualTo(ProbeResult.Outcome.FAILURE);
    assertThat(slow.message()).contains("timed out");
    assertThat(took).isLessThan(Duration.ofSeconds(3));

    var echo =
        cri.runtime().execSync(containerId, List.of("echo", "still fine"), Duration.ofSeconds(5));
    assertThat(new String(echo.stdout(), StandardCharsets.UTF_8)).isEqualTo("still fine\n");
  }
}
