package io.berth.tests.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.cri.ContainerFilter;
import io.berth.cri.ContainerState;
import io.berth.cri.CriRuntime;
import io.berth.cri.PodSandboxFilter;
import io.berth.tests.fixtures.ContainerdLauncher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Pod-level cgroups and graceful termination on a private containerd, under the launcher's own
 * cgroup parent (never the host's kubepods): a Guaranteed pod's cgroup carries the summed memory
 * limit and CPU quota and holds its containers, a Burstable pod's goes under {@code burstable/},
 * and both are gone after deletion; a container that ignores SIGTERM runs until its grace period
 * ends, one that exits on SIGTERM stops at once although its grace period is long.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PodCgroupAndTerminationIT {
  private static final String NODE = "berth-cg-node";
  private static final Path CGROUPS = Path.of("/sys/fs/cgroup");
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

  /** {@code /sys/fs/cgroup/<controller>/<launcher's parent>/<rest>}. */
  private Path cgroup(String controller, String rest) {
    return CGROUPS
        .resolve(controller)
        .resolve(containerd.cgroupParent().substring(1))
        .resolve(rest);
  }

  private JsonNode run(String file, String yaml) throws Exception {
    BerthPods.writeManifest(manifests, file, yaml);
    String name = file.replace(".yaml", "") + "-" + NODE;
    return pods.await(
        Duration.ofSeconds(20),
        () ->
            pods.pod(name)
                .filter(p -> p.path("status").path("containerStatuses").size() > 0)
                .filter(
                    p -> {
                      for (JsonNode c : p.path("status").path("containerStatuses")) {
                        if (!c.path("state").has("running")) {
                          return false;
                        }
                      }
                      return true;
                    }));
  }

  private void awaitGone(String uid) throws Exception {
    pods.await(
        Duration.ofSeconds(15),
        () ->
            cri.runtime()
                    .listPodSandbox(
                        PodSandboxFilter.withLabels(Map.of("io.kubernetes.pod.uid", uid)))
                    .isEmpty()
                ? Optional.of(true)
                : Optional.empty());
  }

  @Test
  void podCgroupsAreSizedFromTheSpecAndRemovedWithThePod() throws Exception {
    JsonNode guaranteed =
        run(
            "sized.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: sized
            spec:
              terminationGracePeriodSeconds: 2
              containers:
              - name: a
                image: %1$s
                imagePullPolicy: Never
                command: ["sleep", "3600"]
                resources:
                  limits: {cpu: 100m, memory: 40Mi}
              - name: b
                image: %1$s
                imagePullPolicy: Never
                command: ["sleep", "3600"]
                resources:
                  limits: {cpu: 150m, memory: 24Mi}
            """
                .formatted(containerd.busyboxImage()));
    assertThat(guaranteed.path("status").path("qosClass").asText()).isEqualTo("Guaranteed");
    String uid = guaranteed.path("metadata").path("uid").asText();
    String podDir = "pod" + uid;
    assertThat(cgroup("memory", podDir).resolve("memory.limit_in_bytes"))
        .hasContent(Long.toString(64L * 1024 * 1024));
    assertThat(cgroup("cpu", podDir).resolve("cpu.cfs_quota_us")).hasContent("25000");
    assertThat(cgroup("cpu", podDir).resolve("cpu.cfs_period_us")).hasContent("100000");
    assertThat(cgroup("cpu", podDir).resolve("cpu.shares")).hasContent("256");
    // the containers run inside it
    String containerId = BerthPods.containerId(guaranteed);
    long pid = berth.pid(containerId);
    assertThat(Files.readString(Path.of("/proc/" + pid + "/cgroup")))
        .contains(containerd.cgroupParent() + "/" + podDir + "/");

    JsonNode burstable =
        run(
            "loose.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: loose
            spec:
              terminationGracePeriodSeconds: 2
              containers:
              - name: a
                image: %s
                imagePullPolicy: Never
                command: ["sleep", "3600"]
                resources:
                  requests: {cpu: 50m, memory: 8Mi}
            """
                .formatted(containerd.busyboxImage()));
    String looseUid = burstable.path("metadata").path("uid").asText();
    Path looseCpu = cgroup("cpu", "burstable/pod" + looseUid);
    assertThat(looseCpu.resolve("cpu.shares")).hasContent("51");
    assertThat(looseCpu.resolve("cpu.cfs_quota_us")).hasContent("-1");
    assertThat(cgroup("cpu", "burstable").resolve("cpu.shares"))
        .as("the QoS level weighs as its pods' summed CPU requests (the only Burstable pod: 50m)")
        .hasContent("51");
    assertThat(cgroup("cpu", "besteffort").resolve("cpu.shares")).hasContent("2");

    Files.delete(manifests.resolve("sized.yaml"));
    Files.delete(manifests.resolve("loose.yaml"));
    awaitGone(uid);
    awaitGone(looseUid);
    pods.await(
        Duration.ofSeconds(5),
        () -> {
          for (String controller : List.of("cpu", "memory", "pids", "cpuset", "systemd")) {
            if (Files.exists(cgroup(controller, podDir))
                || Files.exists(cgroup(controller, "burstable/pod" + looseUid))) {
              return Optional.empty();
            }
          }
          return Optional.of(true);
        });
  }

  @Test
  void terminationHonoursTheGracePeriod() throws Exception {
    // sleep as PID 1 ignores SIGTERM: it runs until the 4 s grace period ends, then is killed
    JsonNode stubborn =
        run(
            "stubborn.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: stubborn
            spec:
              terminationGracePeriodSeconds: 4
              containers:
              - name: main
                image: %s
                imagePullPolicy: Never
                command: ["sleep", "3600"]
            """
                .formatted(containerd.busyboxImage()));
    // a shell that exits on SIGTERM stops at once, whatever its 30 s grace period
    JsonNode polite =
        run(
            "polite.yaml",
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: polite
            spec:
              terminationGracePeriodSeconds: 30
              containers:
              - name: main
                image: %s
                imagePullPolicy: Never
                command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.1; done"]
            """
                .formatted(containerd.busyboxImage()));
    String stubbornId = BerthPods.containerId(stubborn);
    long t0 = System.nanoTime();
    Files.delete(manifests.resolve("stubborn.yaml"));
    Files.delete(manifests.resolve("polite.yaml"));
    awaitGone(polite.path("metadata").path("uid").asText());
    long tPolite = System.nanoTime();
    // 3 s into the 4 s grace period the stubborn container still runs
    Thread.sleep(Math.max(0, 3_000 - (tPolite - t0) / 1_000_000));
    assertThat(
            cri.runtime().listContainers(ContainerFilter.all()).stream()
                .filter(c -> c.id().equals(stubbornId))
                .map(c -> c.state())
                .toList())
        .containsExactly(ContainerState.RUNNING);
    awaitGone(stubborn.path("metadata").path("uid").asText());
    long tStubborn = System.nanoTime();
    long politeMs = (tPolite - t0) / 1_000_000;
    long stubbornMs = (tStubborn - t0) / 1_000_000;
    System.err.printf(
        "PodCgroupAndTerminationIT: delete → gone: exits on TERM %d ms (grace 30 s), ignores TERM"
            + " %d ms (grace 4 s)%n",
        politeMs, stubbornMs);
    assertThat(politeMs).isLessThan(5_000);
    assertThat(stubbornMs).isBetween(4_000L, 4_000L + 5_000L);
  }
}
