package io.berth.agent.pod;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.Collection;
import java.util.function.Predicate;

/**
 * The kubelet's pod container manager: the pod-level cgroup ({@code <root>[/burstable|/besteffort]
 * /pod<uid>}) sized from the pod's requests and limits before its sandbox runs, and removed once
 * the pod's sandboxes are gone (runc leaves it behind).
 */
public sealed interface PodCgroups permits CgroupfsPodCgroups, PodCgroups.Unmanaged {

  /** Creates and sizes the pod's cgroup unless it exists; throws {@link PodCgroupException}. */
  void ensureExists(Pod pod);

  /** Removes the pod's cgroup in every hierarchy; throws {@link PodCgroupException}. */
  void destroy(String podUid);

  /** Removes the cgroups of pods for which {@code removable} holds (the kubelet's cleanup). */
  void removeOrphans(Predicate<String> removable);

  /**
   * The kubelet's QoS container manager ({@code UpdateCgroups}): the {@code burstable} level gets
   * the CPU shares of its pods' summed CPU requests, {@code besteffort} the minimum 2, so that a
   * Burstable pod's requests hold against BestEffort pods and Guaranteed pods (directly under the
   * root) weigh as their requests. Throws {@link PodCgroupException}.
   *
   * @param activePods the pods on the node that may still run containers
   */
  void updateQosCgroups(Collection<Pod> activePods);

  /** berth leaves pod cgroups to the runtime (no cgroup v1 hierarchy found, or in unit tests). */
  record Unmanaged(String why) implements PodCgroups {
    @Override
    public void ensureExists(Pod pod) {}

    @Override
    public void destroy(String podUid) {}

    @Override
    public void removeOrphans(Predicate<String> removable) {}

    @Override
    public void updateQosCgroups(Collection<Pod> activePods) {}
  }
}
