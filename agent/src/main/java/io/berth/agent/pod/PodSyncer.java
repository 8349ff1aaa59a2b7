package io.berth.agent.pod;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.Optional;

/**
 * What a pod worker does for its pod (the kubelet's {@code SyncPod} and {@code SyncTerminatingPod}
 * + {@code SyncTerminatedPod}). Called on the pod's worker thread only, never concurrently for one
 * pod. Implementations may block.
 */
public interface PodSyncer {

  /**
   * Drives the runtime one step towards {@code pod}'s spec and records its status.
   *
   * @return when to sync again if nothing wakes the worker earlier (a back-off, a resync period)
   */
  Duration syncPod(Pod pod);

  /**
   * Stops every container of pod {@code uid} within {@code gracePeriod}, then stops and removes its
   * sandboxes and forgets its status. {@code pod} is empty for orphans the runtime has but no
   * source claims. Throws when the runtime could not be brought there; the worker retries.
   */
  void terminatePod(String uid, Optional<Pod> pod, Duration gracePeriod);
}
