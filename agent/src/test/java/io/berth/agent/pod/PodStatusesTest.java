package io.berth.agent.pod;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.kuberuntime.ContainerStates;
import io.berth.agent.kuberuntime.CrashLoopBackoff;
import io.berth.agent.kuberuntime.ObservedPod;
import io.berth.agent.kuberuntime.PodDefaults;
import io.berth.cri.ContainerState;
import io.berth.cri.NamespaceMode;
import io.berth.cri.PodSandboxState;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Phase and conditions as the kubelet's getPhase and generateAPIPodStatus compute them. */
class PodStatusesTest {
  static final Instant T0 = Instant.parse("2026-11-24T09:00:00Z");
  final List<ObservedPod.Container> containers = new ArrayList<>();

  @Test
  void noSandboxYetIsPendingWithContainerCreating() {
    PodStatus s = status(pod("Always", false), List.of(), Map.of());
    assertThat(s.getPhase()).isEqualTo("Pending");
    assertThat(s.getContainerStatuses().get(0).getState().getWaiting().getReason())
        .isEqualTo("ContainerCreating");
    assertThat(conditions(s))
        .containsEntry("PodReadyToStartContainers", "False")
        .containsEntry("Initialized", "True")
        .containsEntry("ContainersReady", "False")
        .containsEntry("Ready", "False")
        .containsEntry("PodScheduled", "True");
    assertThat(s.getPodIP()).isNull();
    assertThat(s.getQosClass()).isEqualTo("BestEffort");
  }

  @Test
  void allRunningIsRunningAndReadyWithThePodIp() {
    running("app", 0);
    PodStatus s = status(pod("Always", false), containers, Map.of());
    assertThat(s.getPhase()).isEqualTo("Running");
    assertThat(conditions(s))
        .containsEntry("Ready", "True")
        .containsEntry("ContainersReady", "True");
    assertThat(s.getPodIP()).isEqualTo("10.0.0.2");
    assertThat(s.getHostIP()).isEqualTo("192.168.1.10");
    assertThat(s.getContainerStatuses().get(0).getReady()).isTrue();
    assertThat(s.getContainerStatuses().get(0).getContainerID()).isEqualTo("containerd://app-0");
  }

  @Test
  void pendingInitContainerKeepsThePodPendingAndNotInitialized() {
    running("init", 0);
    PodStatus s = status(pod("Always", true), containers, Map.of());
    assertThat(s.getPhase()).isEqualTo("Pending");
    PodCondition init = condition(s, "Initialized");
    assertThat(init.getStatus()).isEqualTo("False");
    assertThat(init.getReason()).isEqualTo("ContainersNotInitialized");
    assertThat(init.getMessage()).isEqualTo("containers with incomplete status: [init]");
    assertThat(condition(s, "Ready").getMessage())
        .isEqualTo("containers with unready status: [app]");
  }

  @Test
  void crashLoopingContainerUnderAlwaysIsRunningButNotReady() {
    exited("app", 0, 1);
    var backOff = ContainerStates.waiting(CrashLoopBackoff.REASON, "back-off 10s restarting");
    PodStatus s = status(pod("Always", false), containers, Map.of("app", backOff));
    assertThat(s.getPhase()).isEqualTo("Running");
    var app = s.getContainerStatuses().get(0);
    assertThat(app.getState().getWaiting().getReason()).isEqualTo("CrashLoopBackOff");
    assertThat(app.getLastState().getTerminated().getExitCode()).isEqualTo(1);
    assertThat(app.getReady()).isFalse();
    assertThat(condition(s, "Ready").getReason()).isEqualTo("ContainersNotReady");
  }

  @Test
  void exitedContainersGiveSucceededOrFailedByRestartPolicy() {
    exited("init", 0, 0);
    exited("app", 0, 0);
    assertThat(status(pod("OnFailure", true), containers, Map.of()).getPhase())
        .isEqualTo("Succeeded");
    containers.clear();
    exited("init", 0, 0);
    exited("app", 0, 2);
    PodStatus failed = status(pod("Never", true), containers, Map.of());
    assertThat(failed.getPhase()).isEqualTo("Failed");
    assertThat(condition(failed, "Ready").getReason()).isEqualTo("PodCompleted");
    assertThat(status(pod("OnFailure", true), containers, Map.of()).getPhase())
        .isEqualTo("Running"); // it will be restarted
  }

  @Test
  void failedInitContainerFailsANeverPod() {
    exited("init", 0, 1);
    assertThat(status(pod("Never", true), containers, Map.of()).getPhase()).isEqualTo("Failed");
    assertThat(status(pod("Always", true), containers, Map.of()).getPhase()).isEqualTo("Pending");
  }

  @Test
  void transitionTimesAndStartTimeAreKeptWhileTheStatusHolds() {
    running("app", 0);
    Pod pod = pod("Always", false);
    PodStatus first = PodStatuses.compute(input(pod, containers, Map.of()), Optional.empty(), T0);
    PodStatus same =
        PodStatuses.compute(
            input(pod, containers, Map.of()), Optional.of(first), T0.plusSeconds(5));
    assertThat(condition(same, "Ready").getLastTransitionTime()).isEqualTo("2026-11-24T09:00:00Z");
    assertThat(same.getStartTime()).isEqualTo("2026-11-24T09:00:00Z");
    containers.clear();
    exited("app", 0, 1);
    PodStatus changed =
        PodStatuses.compute(input(pod, containers, Map.of()), Optional.of(same), T0.plusSeconds(9));
    assertThat(condition(changed, "Ready").getLastTransitionTime())
        .isEqualTo("2026-11-24T09:00:09Z");
    assertThat(condition(changed, "PodScheduled").getLastTransitionTime())
        .isEqualTo("2026-11-24T09:00:00Z");
  }

  private void running(String name, int restarts) {
    containers.add(container(name, restarts, ContainerState.RUNNING, 0));
  }

  private void exited(String name, int restarts, int exitCode) {
    containers.add(container(name, restarts, ContainerState.EXITED, exitCode));
  }

  private static ObservedPod.Container container(
      String name, int restarts, ContainerState st, int exit) {
    Instant t = T0.plusSeconds(restarts);
    return new ObservedPod.Container(
        name + "-" + restarts,
        name,
        "sb",
        st,
        exit,
        "",
        "",
        "hash",
        restarts,
        t,
        t,
        st == ContainerState.EXITED ? t.plusSeconds(1) : null,
        "busybox:1.36",
        "sha256:b");
  }

  private static Pod pod(String restartPolicy, boolean withInit) {
    var b =
        new PodBuilder()
            .withNewMetadata()
            .withName("web")
            .withNamespace("default")
            .withUid("u1")
            .endMetadata()
            .withNewSpec()
            .withRestartPolicy(restartPolicy)
            .addToContainers(
                new ContainerBuilder().withName("app").withImage("busybox:1.36").build());
    if (withInit) {
      b.addToInitContainers(
          new ContainerBuilder().withName("init").withImage("busybox:1.36").build());
    }
    return PodDefaults.apply(b.endSpec().build());
  }

  private static PodStatuses.Input input(
      Pod pod,
      List<ObservedPod.Container> cs,
      Map<String, io.fabric8.kubernetes.api.model.ContainerState> waiting) {
    List<ObservedPod.Sandbox> sandboxes =
        cs.isEmpty()
            ? List.of()
            : List.of(
                new ObservedPod.Sandbox(
                    "sb", 0, PodSandboxState.READY, T0, "10.0.0.2", List.of(), NamespaceMode.POD));
    return new PodStatuses.Input(
        pod, new ObservedPod("u1", sandboxes, cs), waiting, "containerd", List.of("192.168.1.10"));
  }

  private static PodStatus status(
      Pod pod,
      List<ObservedPod.Container> cs,
      Map<String, io.fabric8.kubernetes.api.model.ContainerState> waiting) {
    return PodStatuses.compute(input(pod, cs, waiting), Optional.empty(), T0);
  }

  private static Map<String, String> conditions(PodStatus s) {
    return s.getConditions().stream()
        .collect(Collectors.toMap(PodCondition::getType, PodCondition::getStatus));
  }

  private static PodCondition condition(PodStatus s, String type) {
    return s.getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow();
  }
}
