package io.berth.agent.kuberuntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.cri.Container;
import io.berth.cri.ContainerMetadata;
import io.berth.cri.ContainerState;
import io.berth.cri.ImageSpec;
import io.berth.cri.PodSandbox;
import io.berth.cri.PodSandboxMetadata;
import io.berth.cri.PodSandboxState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ContainerGcTest {
  private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");

  private static Container container(
      String id, String sandbox, String uid, String name, ContainerState state, int secondsAgo) {
    return new Container(
        id,
        sandbox,
        new ContainerMetadata(name, 0),
        ImageSpec.of("busybox"),
        "sha256:1",
        state,
        NOW.minusSeconds(secondsAgo),
        uid == null
            ? Map.of()
            : Map.of(RuntimeLabels.POD_UID, uid, RuntimeLabels.CONTAINER_NAME, name),
        Map.of());
  }

  private static PodSandbox sandbox(String id, String uid, PodSandboxState state, int secondsAgo) {
    return new PodSandbox(
        id,
        new PodSandboxMetadata("p", uid, "default", 0),
        state,
        NOW.minusSeconds(secondsAgo),
        Map.of(RuntimeLabels.POD_UID, uid),
        Map.of(),
        "");
  }

  private static List<String> ids(ContainerGc.Plan plan) {
    return plan.containers().stream().map(Container::id).toList();
  }

  private static List<String> sandboxIds(ContainerGc.Plan plan) {
    return plan.sandboxes().stream().map(PodSandbox::id).toList();
  }

  @Test
  void aCrashLoopingContainerKeepsOnlyItsNewestDeadInstanceBesideTheRunningOne() {
    var plan =
        ContainerGc.plan(
            GcPolicy.DEFAULTS,
            List.of(
                container("c0", "s1", "u1", "app", ContainerState.EXITED, 40),
                container("c2", "s1", "u1", "app", ContainerState.EXITED, 20),
                container("c1", "s1", "u1", "app", ContainerState.EXITED, 30),
                container("c3", "s1", "u1", "app", ContainerState.RUNNING, 10),
                container("d0", "s1", "u1", "sidecar", ContainerState.EXITED, 35)),
            List.of(sandbox("s1", "u1", PodSandboxState.READY, 50)),
            uid -> false,
            NOW);
    assertThat(ids(plan)).containsExactly("c0", "c1");
    assertThat(plan.sandboxes()).isEmpty();
  }

  @Test
  void everythingOfARemovablePodGoesButOnlyDeadContainersAndInactiveSandboxes() {
    var plan =
        ContainerGc.plan(
            GcPolicy.DEFAULTS,
            List.of(
                container("a", "s1", "gone", "app", ContainerState.EXITED, 30),
                container("b", "s2", "gone", "app", ContainerState.EXITED, 20),
                container("x", "s9", "live", "app", ContainerState.EXITED, 20)),
            List.of(
                sandbox("s1", "gone", PodSandboxState.NOT_READY, 40),
                sandbox("s2", "gone", PodSandboxState.NOT_READY, 25),
                sandbox("s9", "live", PodSandboxState.NOT_READY, 25)),
            Set.of("gone")::contains,
            NOW);
    assertThat(ids(plan)).containsExactly("a", "b");
    // s9 is the live pod's only (newest) sandbox and still has its container
    assertThat(sandboxIds(plan)).containsExactly("s1", "s2");
  }

  @Test
  void deadSandboxesOfALivePodGoExceptTheNewestAndThoseWithContainers() {
    var plan =
        ContainerGc.plan(
            GcPolicy.DEFAULTS,
            List.of(
                container("old", "s1", "u", "app", ContainerState.EXITED, 90),
                container("kept", "s2", "u", "app", ContainerState.EXITED, 60)),
            List.of(
                sandbox("s1", "u", PodSandboxState.NOT_READY, 100), // its container goes too
                sandbox("s2", "u", PodSandboxState.NOT_READY, 70), // holds the kept container
                sandbox("s3", "u", PodSandboxState.NOT_READY, 50), // empty, dead
                sandbox("s4", "u", PodSandboxState.NOT_READY, 10)), // newest: kept
            uid -> false,
            NOW);
    assertThat(ids(plan)).containsExactly("old");
    assertThat(sandboxIds(plan)).containsExactly("s1", "s3");
  }

  @Test
  void youngDeadContainersAndContainersWithoutBerthsLabelsStay() {
    var plan =
        ContainerGc.plan(
            new GcPolicy(Duration.ofMinutes(1), 0, -1),
            List.of(
                container("young", "s", "u", "app", ContainerState.EXITED, 30),
                container("old", "s", "u", "app", ContainerState.EXITED, 90),
                container("foreign", "s", null, "app", ContainerState.EXITED, 900)),
            List.of(),
            uid -> true,
            NOW);
    assertThat(ids(plan)).containsExactly("old");
  }

  @Test
  void aNodeWideLimitSpreadsOverUnitsThenRemovesTheOldest() {
    var plan =
        ContainerGc.plan(
            new GcPolicy(Duration.ZERO, -1, 3),
            List.of(
                container("a1", "s", "u", "a", ContainerState.EXITED, 10),
                container("a2", "s", "u", "a", ContainerState.EXITED, 20),
                container("a3", "s", "u", "a", ContainerState.EXITED, 30),
                container("b1", "s", "u", "b", ContainerState.EXITED, 15),
                container("b2", "s", "u", "b", ContainerState.EXITED, 25),
                container("c1", "s", "v", "c", ContainerState.EXITED, 40)),
            List.of(),
            uid -> false,
            NOW);
    // 3 / 3 units = 1 per unit: a1, b1, c1 stay
    assertThat(ids(plan)).containsExactlyInAnyOrder("a3", "b2", "a2");
  }

  @Test
  void unlimitedPolicyRemovesNothingOfLivePods() {
    var plan =
        ContainerGc.plan(
            new GcPolicy(Duration.ZERO, -1, -1),
            List.of(
                container("a1", "s", "u", "a", ContainerState.EXITED, 10),
                container("a2", "s", "u", "a", ContainerState.EXITED, 20)),
            List.of(sandbox("s", "u", PodSandboxState.READY, 30)),
            uid -> false,
            NOW);
    assertThat(plan.containers()).isEmpty();
    assertThat(plan.sandboxes()).isEmpty();
  }

  @Test
  void aContainerBeingStartedDoesNotPushOutTheLastDeadInstance() {
    var plan =
        ContainerGc.plan(
            GcPolicy.DEFAULTS,
            List.of(
                container("c0", "s1", "u1", "app", ContainerState.EXITED, 40),
                container("c1", "s1", "u1", "app", ContainerState.EXITED, 20),
                container("c2", "s1", "u1", "app", ContainerState.CREATED, 1),
                container("g", "s2", "gone", "app", ContainerState.CREATED, 1)),
            List.of(),
            Set.of("gone")::contains,
            NOW);
    // c1 is lastState while c2 starts; the removed pod's created container goes
    assertThat(ids(plan)).containsExactlyInAnyOrder("c0", "g");
  }
}
