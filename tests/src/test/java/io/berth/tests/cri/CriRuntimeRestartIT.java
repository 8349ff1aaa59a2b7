package io.berth.tests.cri;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.cri.ContainerState;
import io.berth.cri.ContainerStatus;
import io.berth.cri.CriRuntime;
import io.berth.cri.CriUnavailableException;
import io.berth.cri.PodSandboxConfig;
import io.berth.cri.PodSandboxState;
import io.berth.cri.RuntimeService;
import io.berth.cri.VersionInfo;
import io.berth.tests.fixtures.ContainerdLauncher;
import io.berth.tests.fixtures.CriPods;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One CriRuntime survives containerd being killed and started again under it. */
class CriRuntimeRestartIT {

  @Test
  void clientSurvivesAKilledAndRestartedRuntimeAndPodsKeepRunning() {
    try (ContainerdLauncher containerd = ContainerdLauncher.launch();
        CriRuntime cri = CriRuntime.connect(containerd.endpoint())) {
      RuntimeService runtime = cri.runtime();
      CriPods pods = new CriPods(containerd);
      PodSandboxConfig sandbox = pods.sandbox("survivor");
      String sandboxId = runtime.runPodSandbox(sandbox);
      String id = runtime.createContainer(sandboxId, pods.shell("app", "sleep 3600"), sandbox);
      runtime.startContainer(id);
      ContainerStatus before = runtime.containerStatus(id);

      containerd.kill(); // SIGKILL, as a crash would
      assertThatThrownBy(runtime::version)
          .isInstanceOf(CriUnavailableException.class)
          .hasMessageContaining("Version");

      containerd.restart();

      assertThat(versionOnceStarted(runtime).runtimeApiVersion()).isEqualTo("v1");
      ContainerStatus after = runtime.containerStatus(id);
      assertThat(after.state()).isEqualTo(ContainerState.RUNNING);
      assertThat(after.startedAt())
          .isEqualTo(before.startedAt()); // the same process, not a restart
      assertThat(runtime.podSandboxStatus(sandboxId).state()).isEqualTo(PodSandboxState.READY);
      var hello = runtime.execSync(id, List.of("echo", "still here"), Duration.ofSeconds(10));
      assertThat(new String(hello.stdout(), StandardCharsets.UTF_8)).isEqualTo("still here\n");

      runtime.stopPodSandbox(sandboxId);
      runtime.removePodSandbox(sandboxId);
    }
  }

  /**
   * containerd's CRI recovers its pods for a moment after a start; until then the only acceptable
   * failure is the typed "unavailable" (the client retries reads itself within its window).
   */
  private static VersionInfo versionOnceStarted(RuntimeService runtime) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try {
        return runtime.version();
      } catch (CriUnavailableException stillStarting) {
        if (System.nanoTime() > deadline) {
          throw stillStarting;
        }
      }
    }
  }
}
