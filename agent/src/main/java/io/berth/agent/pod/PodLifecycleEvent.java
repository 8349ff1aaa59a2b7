package io.berth.agent.pod;

import java.util.Objects;

/**
 * A change the PLEG saw in the runtime for one pod (the kubelet's {@code PodLifecycleEvent}).
 *
 * @param podUid the pod's UID (label {@code io.kubernetes.pod.uid})
 * @param type what happened
 * @param id the container or sandbox id it happened to
 */
public record PodLifecycleEvent(String podUid, Type type, String id) {
  public PodLifecycleEvent {
    Objects.requireNonNull(podUid, "podUid");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(id, "id");
  }

  /** The kubelet's {@code PodLifeCycleEventType}s that a relist can produce. */
  public enum Type {
    CONTAINER_STARTED,
    CONTAINER_DIED,
    CONTAINER_REMOVED,
    CONTAINER_CHANGED
  }
}
