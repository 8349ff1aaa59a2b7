package io.berth.agent.kuberuntime;

import io.berth.cri.ContainerState;
import io.berth.cri.NamespaceMode;
import io.berth.cri.PodSandboxState;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Pods and observed runtime state for tests. */
final class TestPods {
  private TestPods() {}

  static final String UID = "12345678";
  static final Instant T0 = Instant.parse("2026-11-24T09:00:00Z");
  static final SpecHash HASH = new SpecHash();

  static Container container(String name) {
    return new ContainerBuilder().withName(name).withImage("busybox:1.36").build();
  }

  static Container resources(
      String name, String cpuReq, String memReq, String cpuLim, String memLim) {
    Map<String, Quantity> req = new LinkedHashMap<>();
    Map<String, Quantity> lim = new LinkedHashMap<>();
    if (cpuReq != null) req.put("cpu", new Quantity(cpuReq));
    if (memReq != null) req.put("memory", new Quantity(memReq));
    if (cpuLim != null) lim.put("cpu", new Quantity(cpuLim));
    if (memLim != null) lim.put("memory", new Quantity(memLim));
    return new ContainerBuilder(container(name))
        .withNewResources()
        .withRequests(req)
        .withLimits(lim)
        .endResources()
        .build();
  }

  /** A defaulted pod "foo" in "new" with containers foo1..foo3 (like the kubelet's tests). */
  static Pod basicPod() {
    return pod(List.of(container("foo1"), container("foo2"), container("foo3")), List.of());
  }

  static Pod pod(List<Container> containers, List<Container> inits) {
    return PodDefaults.apply(
        new PodBuilder()
            .withNewMetadata()
            .withName("foo")
            .withNamespace("new")
            .withUid(UID)
            .endMetadata()
            .withNewSpec()
            .withContainers(containers)
            .withInitContainers(inits)
            .endSpec()
            .build());
  }

  static Pod withRestartPolicy(Pod pod, String policy) {
    Pod p = new PodBuilder(pod).build();
    p.getSpec().setRestartPolicy(policy);
    return p;
  }

  static ObservedPod.Sandbox readySandbox(int attempt) {
    return new ObservedPod.Sandbox(
        "sandbox" + attempt,
        attempt,
        PodSandboxState.READY,
        T0.plusSeconds(attempt),
        "10.0.0.2",
        List.of(),
        NamespaceMode.POD);
  }

  static ObservedPod.Container running(Container spec, int restartCount) {
    return new ObservedPod.Container(
        "id-" + spec.getName() + "-" + restartCount,
        spec.getName(),
        "sandbox0",
        ContainerState.RUNNING,
        0,
        "",
        "",
        HASH.of(spec),
        restartCount,
        T0.plusSeconds(10 + restartCount),
        T0.plusSeconds(11 + restartCount),
        null,
        spec.getImage(),
        "sha256:abc");
  }

  static ObservedPod.Container withState(ObservedPod.Container c, ContainerState s, int exitCode) {
    return new ObservedPod.Container(
        c.id(),
        c.name(),
        c.sandboxId(),
        s,
        exitCode,
        s == ContainerState.EXITED ? (exitCode == 0 ? "Completed" : "Error") : "",
        "",
        c.hash(),
        c.restartCount(),
        c.createdAt(),
        c.startedAt(),
        s == ContainerState.EXITED ? c.startedAt().plusSeconds(5) : null,
        c.image(),
        c.imageRef());
  }

  /** Everything of {@code pod} running in one ready sandbox (attempt 0). */
  static ObservedPod allRunning(Pod pod) {
    List<ObservedPod.Container> cs = new ArrayList<>();
    for (Container c : pod.getSpec().getContainers()) {
      cs.add(running(c, 0));
    }
    return new ObservedPod(UID, List.of(readySandbox(0)), cs);
  }

  /** Replaces the state of container {@code name} in {@code observed}. */
  static ObservedPod set(ObservedPod observed, String name, ContainerState s, int exitCode) {
    List<ObservedPod.Container> cs =
        observed.containers().stream()
            .map(c -> c.name().equals(name) ? withState(c, s, exitCode) : c)
            .toList();
    return new ObservedPod(observed.uid(), observed.sandboxes(), cs);
  }

  static ObservedPod sandboxes(ObservedPod observed, ObservedPod.Sandbox... sandboxes) {
    return new ObservedPod(observed.uid(), List.of(sandboxes), observed.containers());
  }
}
