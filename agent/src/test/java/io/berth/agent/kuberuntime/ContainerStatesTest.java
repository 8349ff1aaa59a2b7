package io.berth.agent.kuberuntime;

import static io.berth.agent.kuberuntime.TestPods.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.cri.ContainerMetadata;
import io.berth.cri.ContainerState;
import io.berth.cri.ContainerStatus;
import io.berth.cri.ImageSpec;
import io.berth.cri.NamespaceMode;
import io.berth.cri.NamespaceOptions;
import io.berth.cri.PodSandboxMetadata;
import io.berth.cri.PodSandboxState;
import io.berth.cri.PodSandboxStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ContainerStatesTest {
  static ContainerStatus cri(
      String id,
      ContainerState state,
      int exit,
      String reason,
      Instant created,
      Map<String, String> annotations) {
    return new ContainerStatus(
        id,
        new ContainerMetadata("app", 1),
        state,
        created,
        created.plusSeconds(1),
        state == ContainerState.EXITED ? created.plusSeconds(5) : null,
        exit,
        ImageSpec.of("busybox:1.36"),
        "sha256:abc",
        reason,
        "",
        Map.of(RuntimeLabels.CONTAINER_NAME, "app"),
        annotations,
        List.of(),
        "app/0.log",
        null,
        Map.of());
  }

  @Test
  void mapsCriStatusesIntoObservedContainers() {
    var older =
        cri(
            "old",
            ContainerState.EXITED,
            137,
            "OOMKilled",
            T0,
            Map.of(RuntimeLabels.CONTAINER_RESTART_COUNT, "0", RuntimeLabels.CONTAINER_HASH, "h1"));
    var newer =
        cri(
            "new",
            ContainerState.RUNNING,
            0,
            "",
            T0.plusSeconds(60),
            Map.of(RuntimeLabels.CONTAINER_RESTART_COUNT, "1", RuntimeLabels.CONTAINER_HASH, "h1"));
    var sandbox =
        new PodSandboxStatus(
            "sb",
            new PodSandboxMetadata("foo", UID, "new", 3),
            PodSandboxState.READY,
            T0,
            "10.0.0.2",
            List.of("fd00::2"),
            new NamespaceOptions(NamespaceMode.POD, NamespaceMode.CONTAINER, NamespaceMode.POD, ""),
            Map.of(),
            Map.of(),
            "",
            Map.of());
    ObservedPod o = RuntimeStateMapper.observe(UID, List.of(sandbox), List.of(older, newer));
    assertThat(o.containers()).extracting(ObservedPod.Container::id).containsExactly("new", "old");
    assertThat(o.latest("app").orElseThrow().restartCount()).isEqualTo(1);
    assertThat(o.latest("app").orElseThrow().hash()).isEqualTo("h1");
    assertThat(o.latestExited("app").orElseThrow().reason()).isEqualTo("OOMKilled");
    assertThat(o.sandboxes().get(0).attempt()).isEqualTo(3);
    assertThat(o.sandboxes().get(0).network()).isEqualTo(NamespaceMode.POD);
    assertThat(o.podIps()).containsExactly("10.0.0.2", "fd00::2");

    var status = ContainerStates.status("app", "busybox:1.36", o, "containerd", Optional.empty());
    assertThat(status.getRestartCount()).isEqualTo(1);
    assertThat(status.getState().getRunning().getStartedAt()).isEqualTo("2026-11-24T09:01:01Z");
    assertThat(status.getLastState().getTerminated().getReason()).isEqualTo("OOMKilled");
    assertThat(status.getLastState().getTerminated().getExitCode()).isEqualTo(137);
    assertThat(status.getContainerID()).isEqualTo("containerd://new");
    assertThat(status.getStarted()).isTrue();
  }

  @Test
  void restartCountFallsBackToTheAttempt() {
    var c =
        cri(
            "x",
            ContainerState.CREATED,
            0,
            "",
            T0,
            Map.of(RuntimeLabels.CONTAINER_RESTART_COUNT, "zz"));
    assertThat(RuntimeStateMapper.container(c).restartCount()).isEqualTo(1);
  }

  @Test
  void statesInTheApiShape() {
    var exited0 =
        RuntimeStateMapper.container(cri("a", ContainerState.EXITED, 0, "", T0, Map.of()));
    var t = ContainerStates.of(exited0, "containerd").getTerminated();
    assertThat(t.getReason()).isEqualTo("Completed");
    assertThat(t.getExitCode()).isZero();
    assertThat(t.getStartedAt()).isEqualTo("2026-11-24T09:00:01Z");
    assertThat(t.getFinishedAt()).isEqualTo("2026-11-24T09:00:05Z");
    assertThat(t.getContainerID()).isEqualTo("containerd://a");
    var exited1 =
        RuntimeStateMapper.container(cri("b", ContainerState.EXITED, 2, "", T0, Map.of()));
    assertThat(ContainerStates.of(exited1, "containerd").getTerminated().getReason())
        .isEqualTo("Error");
    var created =
        RuntimeStateMapper.container(cri("c", ContainerState.CREATED, 0, "", T0, Map.of()));
    assertThat(ContainerStates.of(created, "containerd").getWaiting()).isNotNull();
    var unknown =
        RuntimeStateMapper.container(cri("d", ContainerState.UNKNOWN, 0, "", T0, Map.of()));
    assertThat(ContainerStates.of(unknown, "containerd").getWaiting()).isNotNull();
  }

  @Test
  void backOffShowsAsWaitingWithTheExitAsLastState() {
    var exited =
        RuntimeStateMapper.container(
            cri(
                "a",
                ContainerState.EXITED,
                1,
                "Error",
                T0,
                Map.of(RuntimeLabels.CONTAINER_RESTART_COUNT, "4")));
    var o = new ObservedPod(UID, List.of(), List.of(exited));
    var status =
        ContainerStates.status(
            "app",
            "busybox:1.36",
            o,
            "containerd",
            Optional.of(ContainerStates.waiting("CrashLoopBackOff", "back-off 2m40s restarting")));
    assertThat(status.getState().getWaiting().getReason()).isEqualTo("CrashLoopBackOff");
    assertThat(status.getLastState().getTerminated().getExitCode()).isEqualTo(1);
    assertThat(status.getRestartCount()).isEqualTo(4);
    var none =
        ContainerStates.status(
            "app", "busybox:1.36", ObservedPod.empty(UID), "containerd", Optional.empty());
    assertThat(none.getState().getWaiting().getReason()).isEqualTo("ContainerCreating");
  }
}
