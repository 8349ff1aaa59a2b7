package io.berth.agent.kuberuntime;

import static io.berth.agent.kuberuntime.ComputePodActionsTest.*;
import static io.berth.agent.kuberuntime.TestPods.*;

import io.berth.agent.kuberuntime.ComputePodActionsTest.Case;
import io.berth.agent.kuberuntime.ComputePodActionsTest.Expect;
import io.berth.agent.kuberuntime.PodActions.KillReason;
import io.berth.cri.ContainerState;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sidecar (init container with restartPolicy Always) scenarios adapted from the kubelet's
 * TestComputePodActionsWithRestartableInitContainers.
 */
class ComputeSidecarActionsTest {
  private final ComputePodActions compute = new ComputePodActions(HASH);

  static Stream<Arguments> sidecars() {
    List<Container> regular = List.of(container("foo1"), container("foo2"));
    Pod pod = pod(regular, List.of(sidecar("side1", null, null)));
    Pod withStartup = pod(regular, List.of(sidecar("side1", probe(), null)));
    Pod withLiveness = pod(regular, List.of(sidecar("side1", null, probe())));
    Pod twoInits = pod(regular, List.of(sidecar("side1", null, null), container("init2")));
    ObservedPod all = running(pod, List.of("side1", "foo1", "foo2"));
    Pod never = withRestartPolicy(pod, "Never");
    Pod onFailure = withRestartPolicy(pod, "OnFailure");
    return Stream.of(
        c(
            "sidecar running: initialization completed; start all containers",
            pod,
            running(pod, List.of("side1")),
            starts("foo1", "foo2")),
        c("sidecar and containers running: nothing to do", pod, all, noop()),
        c(
            "sidecar exited: restart it, keep the containers",
            pod,
            set(all, "side1", ContainerState.EXITED, 0),
            new Expect(false, false, "sandbox0", 0, List.of("side1"), List.of(), Map.of())),
        c(
            "sidecar exited in an OnFailure pod: restarted regardless",
            onFailure,
            set(all, "side1", ContainerState.EXITED, 0),
            new Expect(false, false, "sandbox0", 0, List.of("side1"), List.of(), Map.of())),
        c(
            "sidecar startup probe not run yet: wait",
            withStartup,
            running(withStartup, List.of("side1")),
            noop()),
        c(
            "sidecar startup probe succeeded: start the containers",
            withStartup,
            running(withStartup, List.of("side1")),
            new ProbeResults(Map.of(), Map.of("id-side1-0", ProbeResults.Result.SUCCESS)),
            starts("foo1", "foo2")),
        c(
            "sidecar startup probe failed: kill and restart it",
            withStartup,
            running(withStartup, List.of("side1")),
            new ProbeResults(Map.of(), Map.of("id-side1-0", ProbeResults.Result.FAILURE)),
            new Expect(
                false,
                false,
                "sandbox0",
                0,
                List.of("side1"),
                List.of(),
                Map.of("id-side1-0", KillReason.STARTUP_PROBE_FAILED))),
        c(
            "sidecar liveness failed: kill and restart it, containers keep running",
            withLiveness,
            running(withLiveness, List.of("side1", "foo1", "foo2")),
            ProbeResults.livenessFailed(Set.of("id-side1-0")),
            new Expect(
                false,
                false,
                "sandbox0",
                0,
                List.of("side1"),
                List.of(),
                Map.of("id-side1-0", KillReason.LIVENESS_PROBE_FAILED))),
        c(
            "sidecar started for the first time: start the next init container",
            twoInits,
            running(twoInits, List.of("side1")),
            new Expect(false, false, "sandbox0", 0, List.of("init2"), List.of(), Map.of())),
        c(
            "sidecar spec changed: kill and restart it",
            pod,
            new ObservedPod(
                UID,
                all.sandboxes(),
                all.containers().stream()
                    .map(x -> x.name().equals("side1") ? withHash(x, "0000000000000000") : x)
                    .toList()),
            new Expect(
                false,
                false,
                "sandbox0",
                0,
                List.of("side1"),
                List.of(),
                Map.of("id-side1-0", KillReason.SPEC_CHANGED))),
        c(
            "containers done with RestartPolicy == Never: a sidecar does not keep the pod alive",
            never,
            set(set(all, "foo1", ContainerState.EXITED, 0), "foo2", ContainerState.EXITED, 0),
            killOnly(0)),
        c(
            // The kubelet's quirk: exited regular containers do not prove initialization (they
            // may be from a previous sandbox), so the sidecar is started again first; the next
            // sync then kills the pod.
            "containers done, sidecar exited too, RestartPolicy == Never: sidecar restarted first",
            never,
            set(
                set(set(all, "foo1", ContainerState.EXITED, 0), "foo2", ContainerState.EXITED, 0),
                "side1",
                ContainerState.EXITED,
                137),
            new Expect(false, false, "sandbox0", 0, List.of("side1"), List.of(), Map.of())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sidecars")
  void computesTheKubeletsActions(Case tc) {
    ComputePodActionsTest.verify(
        compute.compute(tc.pod(), tc.observed(), tc.probes()), tc.expect());
  }
}
