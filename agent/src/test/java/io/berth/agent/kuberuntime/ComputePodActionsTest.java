package io.berth.agent.kuberuntime;

import static io.berth.agent.kuberuntime.TestPods.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.kuberuntime.PodActions.KillReason;
import io.berth.cri.ContainerState;
import io.berth.cri.NamespaceMode;
import io.berth.cri.PodSandboxState;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Scenarios adapted from the kubelet's kuberuntime_manager_test.go (TestComputePodActions,
 * TestComputePodActionsWithInitContainers, TestComputePodActionsWithRestartableInitContainers).
 */
class ComputePodActionsTest {
  private final ComputePodActions compute = new ComputePodActions(HASH);

  /** The expected outcome; kills as container id → reason. */
  record Expect(
      boolean killPod,
      boolean createSandbox,
      String sandboxId,
      int attempt,
      List<String> inits,
      List<String> starts,
      Map<String, KillReason> kills) {}

  record Case(Pod pod, ObservedPod observed, ProbeResults probes, Expect expect) {}

  static Expect noop() {
    return new Expect(false, false, "sandbox0", 0, List.of(), List.of(), Map.of());
  }

  static Expect starts(String... names) {
    return new Expect(false, false, "sandbox0", 0, List.of(), List.of(names), Map.of());
  }

  static Expect recreate(String sandboxId, int attempt, List<String> inits, String... starts) {
    return new Expect(true, true, sandboxId, attempt, inits, List.of(starts), Map.of());
  }

  static Expect killOnly(int attempt) {
    return new Expect(true, false, "sandbox0", attempt, List.of(), List.of(), Map.of());
  }

  static Arguments c(String name, Pod pod, ObservedPod observed, Expect expect) {
    return c(name, pod, observed, ProbeResults.none(), expect);
  }

  static Arguments c(String name, Pod pod, ObservedPod observed, ProbeResults probes, Expect e) {
    return Arguments.of(Named.of(name, new Case(pod, observed, probes, e)));
  }

  static ObservedPod.Sandbox notReady(int attempt) {
    var s = readySandbox(attempt);
    return new ObservedPod.Sandbox(
        s.id(),
        attempt,
        PodSandboxState.NOT_READY,
        s.createdAt(),
        s.ip(),
        s.additionalIps(),
        s.network());
  }

  static Stream<Arguments> regularContainers() {
    Pod pod = basicPod();
    ObservedPod ok = allRunning(pod);
    Pod never = withRestartPolicy(pod, "Never");
    Pod onFailure = withRestartPolicy(pod, "OnFailure");
    ObservedPod dead = sandboxes(ok, notReady(0));
    ObservedPod allExited =
        set(
            set(set(dead, "foo1", ContainerState.EXITED, 0), "foo2", ContainerState.EXITED, 1),
            "foo3",
            ContainerState.EXITED,
            0);
    ObservedPod allSucceeded =
        set(
            set(set(dead, "foo1", ContainerState.EXITED, 0), "foo2", ContainerState.EXITED, 0),
            "foo3",
            ContainerState.EXITED,
            0);
    ObservedPod changedFoo2 =
        new ObservedPod(
            UID,
            ok.sandboxes(),
            ok.containers().stream()
                .map(x -> x.name().equals("foo2") ? withHash(x, "0000000000000000") : x)
                .toList());
    Pod hostNet = new PodBuilder(pod).editSpec().withHostNetwork(true).endSpec().build();
    Pod succeeded = new PodBuilder(pod).withNewStatus().withPhase("Succeeded").endStatus().build();
    Pod deleted =
        new PodBuilder(pod)
            .editMetadata()
            .withDeletionTimestamp("2026-11-24T09:00:00Z")
            .endMetadata()
            .build();
    return Stream.of(
        c("everything is good; do nothing", pod, ok, noop()),
        c(
            "start pod sandbox and all containers for a new pod",
            pod,
            ObservedPod.empty(UID),
            new Expect(true, true, "", 0, List.of(), List.of("foo1", "foo2", "foo3"), Map.of())),
        c(
            "restart exited containers if RestartPolicy == Always",
            pod,
            set(set(ok, "foo1", ContainerState.EXITED, 0), "foo2", ContainerState.EXITED, 1),
            starts("foo1", "foo2")),
        c(
            "restart failed containers if RestartPolicy == OnFailure",
            onFailure,
            set(set(ok, "foo1", ContainerState.EXITED, 0), "foo2", ContainerState.EXITED, 1),
            starts("foo2")),
        c(
            "don't restart containers if RestartPolicy == Never",
            never,
            set(set(ok, "foo1", ContainerState.EXITED, 0), "foo2", ContainerState.EXITED, 1),
            noop()),
        c(
            "kill pod and recreate everything if the pod sandbox is dead, RestartPolicy == Always",
            pod,
            dead,
            recreate("sandbox0", 1, List.of(), "foo1", "foo2", "foo3")),
        c(
            "kill pod and recreate all but the succeeded containers if the sandbox is dead, OnFailure",
            onFailure,
            set(dead, "foo2", ContainerState.EXITED, 0),
            recreate("sandbox0", 1, List.of(), "foo1", "foo3")),
        c(
            "kill pod and recreate all containers if the sandbox has no IP",
            pod,
            sandboxes(ok, withIp(readySandbox(0), "")),
            recreate("sandbox0", 1, List.of(), "foo1", "foo2", "foo3")),
        c(
            "kill and recreate the container if the container's spec changed",
            pod,
            changedFoo2,
            new Expect(
                false,
                false,
                "sandbox0",
                0,
                List.of(),
                List.of("foo2"),
                Map.of("id-foo2-0", KillReason.SPEC_CHANGED))),
        c(
            "spec change restarts even with RestartPolicy == Never",
            never,
            changedFoo2,
            new Expect(
                false,
                false,
                "sandbox0",
                0,
                List.of(),
                List.of("foo2"),
                Map.of("id-foo2-0", KillReason.SPEC_CHANGED))),
        c(
            "kill and recreate the container if the liveness check has failed",
            pod,
            ok,
            ProbeResults.livenessFailed(Set.of("id-foo1-0")),
            new Expect(
                false,
                false,
                "sandbox0",
                0,
                List.of(),
                List.of("foo1"),
                Map.of("id-foo1-0", KillReason.LIVENESS_PROBE_FAILED))),
        c(
            "liveness failure with RestartPolicy == Never kills without restart",
            never,
            ok,
            ProbeResults.livenessFailed(Set.of("id-foo1-0")),
            new Expect(
                false,
                false,
                "sandbox0",
                0,
                List.of(),
                List.of(),
                Map.of("id-foo1-0", KillReason.LIVENESS_PROBE_FAILED))),
        c(
            "kill and recreate the container if the startup check has failed",
            pod,
            ok,
            new ProbeResults(Map.of(), Map.of("id-foo1-0", ProbeResults.Result.FAILURE)),
            new Expect(
                false,
                false,
                "sandbox0",
                0,
                List.of(),
                List.of("foo1"),
                Map.of("id-foo1-0", KillReason.STARTUP_PROBE_FAILED))),
        c(
            "no new sandbox when none is ready, RestartPolicy == Never and all containers exited",
            never,
            allExited,
            killOnly(1)),
        c(
            "no new sandbox when none is ready, RestartPolicy == OnFailure and all succeeded",
            onFailure,
            allSucceeded,
            killOnly(1)),
        c(
            "new sandbox when none is ready, RestartPolicy == Never and no container was created",
            never,
            new ObservedPod(UID, List.of(notReady(0)), List.of()),
            recreate("sandbox0", 1, List.of(), "foo1", "foo2", "foo3")),
        c(
            "kill and recreate the container if the container is in unknown state",
            pod,
            set(ok, "foo1", ContainerState.UNKNOWN, 0),
            new Expect(
                false,
                false,
                "sandbox0",
                0,
                List.of(),
                List.of("foo1"),
                Map.of("id-foo1-0", KillReason.UNKNOWN_STATE))),
        c(
            "restart the container if the container is in created state",
            pod,
            set(ok, "foo1", ContainerState.CREATED, 0),
            starts("foo1")),
        c(
            "kill the pod when every container exited and RestartPolicy == Never",
            never,
            set(
                set(set(ok, "foo1", ContainerState.EXITED, 0), "foo2", ContainerState.EXITED, 1),
                "foo3",
                ContainerState.EXITED,
                0),
            killOnly(0)),
        c(
            "a host-network pod in a pod-network sandbox gets a new sandbox",
            hostNet,
            ok,
            recreate("", 1, List.of(), "foo1", "foo2", "foo3")),
        c(
            "two ready sandboxes are reconciled into a new one",
            pod,
            sandboxes(ok, readySandbox(1), readySandbox(0)),
            recreate("sandbox1", 2, List.of(), "foo1", "foo2", "foo3")),
        c("a Succeeded pod is only killed", succeeded, ok, killOnly(0)),
        c("a pod being deleted is only killed", deleted, ok, killOnly(0)));
  }

  static Probe probe() {
    return new ProbeBuilder().withNewExec().withCommand("true").endExec().build();
  }

  static Container sidecar(String name, Probe startup, Probe liveness) {
    return new ContainerBuilder(container(name))
        .withRestartPolicy("Always")
        .withStartupProbe(startup)
        .withLivenessProbe(liveness)
        .build();
  }

  static ObservedPod running(Pod pod, List<String> names) {
    List<ObservedPod.Container> cs = new ArrayList<>();
    for (Container c : EnvResolver.allContainers(pod)) {
      if (names.contains(c.getName())) {
        cs.add(TestPods.running(c, 0));
      }
    }
    return new ObservedPod(UID, List.of(readySandbox(0)), cs);
  }

  static Stream<Arguments> initContainers() {
    List<Container> regular = List.of(container("foo1"), container("foo2"), container("foo3"));
    Pod pod = pod(regular, List.of(container("init1")));
    Pod never = withRestartPolicy(pod, "Never");
    Pod three = pod(regular, List.of(container("init1"), container("init2"), container("init3")));
    ObservedPod init1Running = running(pod, List.of("init1"));
    return Stream.of(
        c(
            "initialization completed; start all containers",
            pod,
            set(init1Running, "init1", ContainerState.EXITED, 0),
            starts("foo1", "foo2", "foo3")),
        c(
            "no init container started yet; start the first one",
            pod,
            running(pod, List.of()),
            new Expect(false, false, "sandbox0", 0, List.of("init1"), List.of(), Map.of())),
        c("initialization in progress; do nothing", pod, init1Running, noop()),
        c(
            "kill pod and restart the first init container if the sandbox is dead",
            pod,
            sandboxes(init1Running, notReady(0)),
            recreate("sandbox0", 1, List.of("init1"))),
        c(
            "init container failed; restart it when RestartPolicy == Always",
            pod,
            set(init1Running, "init1", ContainerState.EXITED, 1),
            new Expect(false, false, "sandbox0", 0, List.of("init1"), List.of(), Map.of())),
        c(
            "init container failed; kill the pod when RestartPolicy == Never",
            never,
            set(init1Running, "init1", ContainerState.EXITED, 1),
            killOnly(0)),
        c(
            "init container in unknown state; kill and restart it when RestartPolicy == Always",
            pod,
            set(init1Running, "init1", ContainerState.UNKNOWN, 0),
            new Expect(
                false,
                false,
                "sandbox0",
                0,
                List.of("init1"),
                List.of(),
                Map.of("id-init1-0", KillReason.UNKNOWN_STATE))),
        c(
            "sandbox not ready, init container failed, RestartPolicy == Never: kill only",
            never,
            sandboxes(set(init1Running, "init1", ContainerState.EXITED, 1), notReady(0)),
            killOnly(1)),
        c(
            "sandbox not ready, RestartPolicy == Never, no init container seen: new sandbox",
            never,
            new ObservedPod(UID, List.of(notReady(0)), List.of()),
            recreate("sandbox0", 1, List.of("init1"))),
        c(
            "earlier init statuses missing but the last one running: do not restart earlier ones",
            three,
            running(three, List.of("init3")),
            noop()),
        c(
            "init container stuck in created state: restart it",
            pod,
            set(init1Running, "init1", ContainerState.CREATED, 0),
            new Expect(false, false, "sandbox0", 0, List.of("init1"), List.of(), Map.of())),
        c(
            "second init container runs after the first succeeded",
            three,
            set(running(three, List.of("init1")), "init1", ContainerState.EXITED, 0),
            new Expect(false, false, "sandbox0", 0, List.of("init2"), List.of(), Map.of())),
        c(
            "regular container running: init containers are not rerun",
            pod,
            running(pod, List.of("foo1", "foo2", "foo3")),
            noop()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource({"regularContainers", "initContainers"})
  void computesTheKubeletsActions(Case tc) {
    verify(compute.compute(tc.pod(), tc.observed(), tc.probes()), tc.expect());
  }

  static void verify(PodActions got, Expect e) {
    assertThat(got.killPod()).as("killPod (%s)", got).isEqualTo(e.killPod());
    assertThat(got.createSandbox()).as("createSandbox (%s)", got).isEqualTo(e.createSandbox());
    assertThat(got.sandboxId()).as("sandboxId").isEqualTo(e.sandboxId());
    assertThat(got.attempt()).as("attempt").isEqualTo(e.attempt());
    assertThat(got.initContainersToStart()).as("init containers to start").isEqualTo(e.inits());
    assertThat(got.containersToStart()).as("containers to start").isEqualTo(e.starts());
    assertThat(got.containersToKill().keySet()).as("kills").isEqualTo(e.kills().keySet());
    e.kills().forEach((id, r) -> assertThat(got.containersToKill().get(id).reason()).isEqualTo(r));
  }

  @org.junit.jupiter.api.Test
  void killMessagesAreTheKubelets() {
    Pod pod = basicPod();
    ObservedPod ok = allRunning(pod);
    PodActions a = compute.compute(pod, ok, ProbeResults.livenessFailed(Set.of("id-foo1-0")));
    assertThat(a.containersToKill().get("id-foo1-0").message())
        .isEqualTo("Container foo1 failed liveness probe, will be restarted");
    assertThat(compute.compute(pod, ok, ProbeResults.none()).isNoop()).isTrue();
  }

  static ObservedPod.Container withHash(ObservedPod.Container c, String hash) {
    return new ObservedPod.Container(
        c.id(),
        c.name(),
        c.sandboxId(),
        c.state(),
        c.exitCode(),
        c.reason(),
        c.message(),
        hash,
        c.restartCount(),
        c.createdAt(),
        c.startedAt(),
        c.finishedAt(),
        c.image(),
        c.imageRef());
  }

  static ObservedPod.Sandbox withIp(ObservedPod.Sandbox s, String ip) {
    return new ObservedPod.Sandbox(
        s.id(), s.attempt(), s.state(), s.createdAt(), ip, s.additionalIps(), NamespaceMode.POD);
  }
}
