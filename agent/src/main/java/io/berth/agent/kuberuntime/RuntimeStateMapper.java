package io.berth.agent.kuberuntime;

import io.berth.cri.ContainerStatus;
import io.berth.cri.PodSandboxStatus;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds an {@link ObservedPod} from the CRI's answers (the kubelet's {@code GetPodStatus}): names
 * and restart counts come from berth's labels and annotations, so containers created by an earlier
 * berth (or a kubelet) are recognised.
 */
public final class RuntimeStateMapper {
  private static final Logger LOG = LoggerFactory.getLogger(RuntimeStateMapper.class);

  private RuntimeStateMapper() {}

  /**
   * The pod {@code uid} as the runtime has it; pass the statuses of the sandboxes and containers
   * listed with label {@code io.kubernetes.pod.uid=<uid>} (any order).
   */
  public static ObservedPod observe(
      String uid, List<PodSandboxStatus> sandboxes, List<ContainerStatus> containers) {
    return new ObservedPod(
        uid,
        sandboxes.stream().map(RuntimeStateMapper::sandbox).toList(),
        containers.stream().map(RuntimeStateMapper::container).toList());
  }

  public static ObservedPod.Sandbox sandbox(PodSandboxStatus s) {
    return new ObservedPod.Sandbox(
        s.id(),
        s.metadata() == null ? 0 : s.metadata().attempt(),
        s.state(),
        s.createdAt(),
        s.ip(),
        s.additionalIps(),
        s.namespaces() == null ? null : s.namespaces().network());
  }

  public static ObservedPod.Container container(ContainerStatus s) {
    Map<String, String> labels = s.labels();
    String name = labels.get(RuntimeLabels.CONTAINER_NAME);
    if (name == null || name.isEmpty()) {
      name = s.metadata() == null ? "" : s.metadata().name();
    }
    return new ObservedPod.Container(
        s.id(),
        name,
        "",
        s.state(),
        s.exitCode(),
        s.reason(),
        TerminationMessages.of(s),
        SpecHash.fromAnnotations(s.annotations()),
        restartCount(s),
        s.createdAt(),
        s.startedAt(),
        s.finishedAt(),
        s.image() == null ? "" : s.image().image(),
        s.imageRef());
  }

  /** The restart-count annotation; without it, the CRI attempt number (as the kubelet does). */
  static int restartCount(ContainerStatus s) {
    String v = s.annotations().get(RuntimeLabels.CONTAINER_RESTART_COUNT);
    if (v != null) {
      try {
        return Integer.parseInt(v);
      } catch (NumberFormatException e) {
        // The kubelet logs and carries on with 0; berth falls back to the CRI attempt.
        LOG.warn(
            "container {}: unparsable {} annotation \"{}\", using the CRI attempt",
            s.id(),
            RuntimeLabels.CONTAINER_RESTART_COUNT,
            v,
            e);
      }
    }
    return s.metadata() == null ? 0 : s.metadata().attempt();
  }
}
