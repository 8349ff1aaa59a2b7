package io.berth.agent.pod;

import io.fabric8.kubernetes.api.model.Pod;
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

  /** berth leaves pod cgroups to the runtime (no cgroup v1 hierarchy found, or in unit tests). */
  record Unmanaged(String why) implements PodCgroups {
    @Override
    public void ensureExists(Pod pod) {}

    @Override
    public void destroy(String podUid) {}

    @Override
    public void removeOrphans(Predicate<String> removable) {}
  }
}
