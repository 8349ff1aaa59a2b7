package io.berth.tests.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.cri.ContainerFilter;
import io.berth.cri.CriRuntime;
import io.berth.cri.PodSandboxFilter;
import io.berth.tests.fixtures.ContainerdLauncher;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * containerd restarted under a running berth, once gracefully and once after SIGKILL: berth
 * reconnects by itself, the running pods keep their containers (same IDs, start times and restart
 * counts, one container each in the runtime), and a manifest added afterwards becomes a running
 * pod.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContainerdRestartIT {
  private static final String NODE = "berth-ctrd-restart";
  private BerthOnContainerd berth;
  private BerthPods pods;
  private ContainerdLauncher containerd;
  private CriRuntime cri;
  private Path manifests;

  @BeforeAll
  void start() throws Exception {
    berth = BerthOnContainerd.start(NODE, s -> s);
    pods = berth.pods;
    containerd = berth.containerd;
    cri = berth.cri;
    manifests = berth.manifests;
  }

  @AfterAll
  void stop() {
    if (berth != null) {
      berth.close();
    }
  }

  private void addPod(String name) throws Exception {
    BerthPods.writeManifest(
        manifests,
        name + ".yaml",
        BerthPods.sleeperManifest(name, "Always", containerd.busyboxImage()));
  }

  @Test
  void podsKeepTheirContainersAcrossContainerdRestartsAndNewPodsStart() throws Exception {
    addPod("alpha");
    addPod("beta");
    Map<String, String> before =
        BerthPods.containerSummary(pods.awaitAllRunning(2, Duration.ofSeconds(30)));

    long pid = containerd.pid();
    long t0 = System.nanoTime();
    containerd.restart();
    assertThat(containerd.pid()).as("a new containerd process").isNotEqualTo(pid);
    addPod("gamma");
    Map<String, JsonNode> afterRestart = pods.awaitAllRunning(3, Duration.ofSeconds(30));
    long tGamma = System.nanoTime();
    Map<String, String> kept = BerthPods.containerSummary(afterRestart);
    kept.remove("gamma-" + NODE);
    assertThat(kept).isEqualTo(before);

    long t1 = System.nanoTime();
    pid = containerd.pid();
    containerd.kill();
    containerd.restart();
    assertThat(containerd.pid()).as("a new containerd process").isNotEqualTo(pid);
    addPod("delta");
    Map<String, JsonNode> afterKill = pods.awaitAllRunning(4, Duration.ofSeconds(30));
    long tDelta = System.nanoTime();
    Map<String, String> keptAgain = BerthPods.containerSummary(afterKill);
    keptAgain.remove("delta-" + NODE);
    assertThat(keptAgain).isEqualTo(BerthPods.containerSummary(afterRestart));

    // what the runtime holds agrees: one running container per pod, none recreated
    {
      var containers = cri.runtime().listContainers(ContainerFilter.all());
      assertThat(containers).hasSize(4);
      assertThat(containers)
          .extracting(c -> c.id())
          .containsExactlyInAnyOrderElementsOf(
              afterKill.values().stream().map(BerthPods::containerId).toList());
      assertThat(cri.runtime().listPodSandbox(PodSandboxFilter.all())).hasSize(4);
    }
    System.err.printf(
        "ContainerdRestartIT: containerd restart → new pod Running %d ms; SIGKILL + restart →"
            + " new pod Running %d ms%n",
        (tGamma - t0) / 1_000_000, (tDelta - t1) / 1_000_000);
  }
}
