package io.berth.tests.agent;

import static io.berth.tests.agent.BerthPods.container;
import static io.berth.tests.agent.BerthPods.containerId;
import static io.berth.tests.agent.BerthPods.phase;
import static io.berth.tests.agent.BerthPods.running;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.cri.ContainerFilter;
import io.berth.cri.CriRuntime;
import io.berth.cri.PodSandboxFilter;
import io.berth.tests.fixtures.ContainerdLauncher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue #3's restart acceptance on one private containerd: berth is closed and started again while
 * 20 static pods run, and nothing is restarted or duplicated (same container IDs, restart counts
 * and start times, one container per pod in the runtime). Then containers are SIGKILLed behind
 * berth's back (the PID the runtime reports): berth notices within 2 s, restarts the {@code Always}
 * pod's container and reports the {@code Never} pod as Failed with exit code 137.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentRestartIT {
  private static final String NODE = "berth-restart-node";
  private static final int PODS = 20;
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

  private String manifest(String name, String restartPolicy) {
    return BerthPods.sleeperManifest(name, restartPolicy, containerd.busyboxImage());
  }

  @Test
  void restartedBerthAdoptsTwentyPodsAndNoticesKilledContainers() throws Exception {
    for (int i = 0; i < PODS - 1; i++) {
      BerthPods.writeManifest(
          manifests, "run-%02d.yaml".formatted(i), manifest("run-%02d".formatted(i), "Always"));
    }
    BerthPods.writeManifest(manifests, "once.yaml", manifest("once", "Never"));
    long t0 = System.nanoTime();
    Map<String, JsonNode> before = pods.awaitAllRunning(PODS, Duration.ofSeconds(90));
    long tAllRunning = System.nanoTime();

    berth.restartAgent();
    long tRestart = System.nanoTime();
    Map<String, JsonNode> adopted = pods.awaitAllRunning(PODS, Duration.ofSeconds(30));
    long tAdopted = System.nanoTime();
    // several relists and resyncs of the new berth
    Thread.sleep(3_000);
    Map<String, JsonNode> settled = pods.all();
    for (Map<String, JsonNode> seen : java.util.List.of(adopted, settled)) {
      assertThat(BerthPods.containerSummary(seen)).isEqualTo(BerthPods.containerSummary(before));
    }
    Map<String, Long> perPod =
        cri.runtime().listContainers(ContainerFilter.all()).stream()
            .collect(
                Collectors.groupingBy(
                    c -> c.labels().get("io.kubernetes.pod.name") + "/" + c.metadata().name(),
                    TreeMap::new,
                    Collectors.counting()));
    assertThat(perPod).hasSize(PODS).allSatisfy((pod, n) -> assertThat(n).as(pod).isEqualTo(1));
    assertThat(cri.runtime().listPodSandbox(PodSandboxFilter.all())).hasSize(PODS);

    String always = "run-00-" + NODE;
    String never = "once-" + NODE;
    long tKill = System.nanoTime();
    sigkill(containerId(settled.get(always)));
    sigkill(containerId(settled.get(never)));
    JsonNode restarted =
        pods.await(
            Duration.ofSeconds(2),
            () ->
                pods.pod(always)
                    .filter(p -> container(p).path("restartCount").asInt() == 1 && running(p)));
    long tRestarted = System.nanoTime();
    JsonNode failed =
        pods.await(
            Duration.ofSeconds(2), () -> pods.pod(never).filter(p -> phase(p).equals("Failed")));
    long tFailed = System.nanoTime();
    assertThat(container(restarted).path("lastState").path("terminated").path("exitCode").asInt())
        .isEqualTo(137);
    assertThat(containerId(restarted)).isNotEqualTo(containerId(settled.get(always)));
    assertThat(container(failed).path("state").path("terminated").path("exitCode").asInt())
        .isEqualTo(137);
    assertThat(container(failed).path("restartCount").asInt()).isZero();
    // the other pods were left alone
    Map<String, String> others = BerthPods.containerSummary(pods.all());
    Map<String, String> expected = new TreeMap<>(BerthPods.containerSummary(settled));
    others.remove(always);
    others.remove(never);
    expected.remove(always);
    expected.remove(never);
    assertThat(others).isEqualTo(expected);
    System.err.printf(
        "AgentRestartIT: %d pods Running %d ms, berth restart → all adopted %d ms, SIGKILL →"
            + " restarted %d ms, → Failed (Never) %d ms%n",
        PODS,
        (tAllRunning - t0) / 1_000_000,
        (tAdopted - tRestart) / 1_000_000,
        (tRestarted - tKill) / 1_000_000,
        (tFailed - tKill) / 1_000_000);
  }

  /** SIGKILLs the container's process, found through the runtime's verbose status. */
  private void sigkill(String containerId) throws Exception {
    long pid = berth.pid(containerId);
    ProcessHandle p = ProcessHandle.of(pid).orElseThrow();
    assertThat(Files.readString(Path.of("/proc/" + pid + "/cmdline"))).startsWith("sleep");
    assertThat(p.destroyForcibly()).isTrue();
  }
}
