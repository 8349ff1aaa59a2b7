package io.berth.agent.pod;

import static io.berth.agent.pod.PodLifecycleEvent.Type.CONTAINER_CHANGED;
import static io.berth.agent.pod.PodLifecycleEvent.Type.CONTAINER_DIED;
import static io.berth.agent.pod.PodLifecycleEvent.Type.CONTAINER_REMOVED;
import static io.berth.agent.pod.PodLifecycleEvent.Type.CONTAINER_STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.pod.PodLifecycleEventGenerator.State;
import io.berth.agent.testing.FakeClock;
import io.berth.cri.ContainerConfig;
import io.berth.cri.ContainerMetadata;
import io.berth.cri.CriRuntime;
import io.berth.cri.PodSandboxConfig;
import io.berth.cri.PodSandboxMetadata;
import io.berth.cri.RuntimeService;
import io.berth.cri.fake.FakeCriServer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Relist diffing, as the kubelet's generic PLEG tests, and one relist against the fake CRI. */
class PodLifecycleEventGeneratorTest {
  @TempDir Path dir;

  @Test
  void everyTransitionGivesTheKubeletsEvents() {
    var before =
        Map.of(
            "p1",
            Map.of(
                "c1", State.RUNNING,
                "c2", State.RUNNING,
                "c3", State.EXITED,
                "c4", State.RUNNING,
                "c5", State.RUNNING));
    var after =
        Map.of(
            "p1",
            Map.of(
                "c1", State.RUNNING, // unchanged: nothing
                "c2", State.EXITED,
                "c4", State.UNKNOWN,
                "c6", State.RUNNING),
            "p2",
            Map.of("c7", State.EXITED));
    // c3 exited → gone: removed only; c5 running → gone: died + removed
    assertThat(PodLifecycleEventGenerator.diff(before, after))
        .containsExactly(
            new PodLifecycleEvent("p1", CONTAINER_DIED, "c2"),
            new PodLifecycleEvent("p1", CONTAINER_REMOVED, "c3"),
            new PodLifecycleEvent("p1", CONTAINER_CHANGED, "c4"),
            new PodLifecycleEvent("p1", CONTAINER_DIED, "c5"),
            new PodLifecycleEvent("p1", CONTAINER_REMOVED, "c5"),
            new PodLifecycleEvent("p1", CONTAINER_STARTED, "c6"),
            new PodLifecycleEvent("p2", CONTAINER_DIED, "c7"));
  }

  @Test
  void aWholePodGoneGivesDiedAndRemovedForEachRunningPart() {
    var before = Map.of("p1", Map.of("sandbox", State.RUNNING, "c1", State.EXITED));
    assertThat(PodLifecycleEventGenerator.diff(before, Map.of()))
        .containsExactly(
            new PodLifecycleEvent("p1", CONTAINER_REMOVED, "c1"),
            new PodLifecycleEvent("p1", CONTAINER_DIED, "sandbox"),
            new PodLifecycleEvent("p1", CONTAINER_REMOVED, "sandbox"));
  }

  @Test
  void relistSeesSandboxesAndContainersOfLabelledPodsOnly() {
    var clock = new FakeClock(Instant.parse("2026-11-24T09:00:00Z"));
    try (var server = FakeCriServer.start(dir.resolve("cri.sock"), clock);
        var cri = CriRuntime.connect(server.endpoint())) {
      RuntimeService rt = cri.runtime();
      List<PodLifecycleEvent> seen = new ArrayList<>();
      var pleg = new PodLifecycleEventGenerator(cri::runtime, seen::add, clock);
      assertThat(pleg.relist()).isEmpty();

      PodSandboxConfig sandbox =
          PodSandboxConfig.builder(new PodSandboxMetadata("web", "u1", "default", 0))
              .label("io.kubernetes.pod.uid", "u1")
              .build();
      String sandboxId = rt.runPodSandbox(sandbox);
      String unlabelled =
          rt.runPodSandbox(
              PodSandboxConfig.builder(new PodSandboxMetadata("x", "u2", "default", 0)).build());
      String app =
          rt.createContainer(
              sandboxId,
              ContainerConfig.builder(new ContainerMetadata("app", 0), "busybox:1.36")
                  .label("io.kubernetes.pod.uid", "u1")
                  .build(),
              sandbox);
      assertThat(pleg.relist())
          .containsExactlyInAnyOrder(
              new PodLifecycleEvent("u1", CONTAINER_STARTED, sandboxId),
              new PodLifecycleEvent("u1", CONTAINER_CHANGED, app)); // created, not started
      assertThat(pleg.runtimePods().uids()).containsExactly("u1").doesNotContain(unlabelled);

      rt.startContainer(app);
      assertThat(pleg.relist())
          .containsExactly(new PodLifecycleEvent("u1", CONTAINER_STARTED, app));
      assertThat(pleg.relist()).isEmpty();

      server.runtime().exitContainer(app, 137, "Error");
      assertThat(pleg.relist()).containsExactly(new PodLifecycleEvent("u1", CONTAINER_DIED, app));

      rt.removeContainer(app);
      assertThat(pleg.relist())
          .containsExactly(new PodLifecycleEvent("u1", CONTAINER_REMOVED, app));
      assertThat(seen).hasSize(5);
      assertThat(pleg.runtimePods().listedAt()).isEqualTo(clock.instant());
    }
  }
}
