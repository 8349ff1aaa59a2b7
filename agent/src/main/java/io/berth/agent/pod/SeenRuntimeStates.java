package io.berth.agent.pod;

import io.berth.agent.kuberuntime.ObservedPod;
import io.berth.cri.ContainerState;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What each pod's worker last saw of its sandboxes and containers, as PLEG event types. A PLEG
 * event that reports what the worker has already seen (it started or stopped that container itself
 * and read it back) carries no news, and the sync it would trigger repeats the runtime calls the
 * worker just made: a new pod's sandbox and container each come back as a "started" event on the
 * next relist. The kubelet gets the same effect from its pod cache, which the worker waits on
 * instead of asking the runtime again.
 *
 * <p>States only move forward for an ID (created → running → exited → removed; a restart is a new
 * container ID), so an event that equals the worker's view can never hide a change.
 */
final class SeenRuntimeStates {
  private final Map<String, Map<String, PodLifecycleEvent.Type>> byPod = new ConcurrentHashMap<>();

  /** The worker of {@code observed.uid()} saw this. */
  void record(ObservedPod observed) {
    Map<String, PodLifecycleEvent.Type> states = new HashMap<>();
    for (ObservedPod.Sandbox s : observed.sandboxes()) {
      states.put(
          s.id(),
          s.ready()
              ? PodLifecycleEvent.Type.CONTAINER_STARTED
              : PodLifecycleEvent.Type.CONTAINER_DIED);
    }
    for (ObservedPod.Container c : observed.containers()) {
      states.put(c.id(), type(c.state()));
    }
    byPod.put(observed.uid(), Map.copyOf(states));
  }

  void forget(String uid) {
    byPod.remove(uid);
  }

  /** Whether {@code event} tells the pod's worker something its last look did not show. */
  boolean isNews(PodLifecycleEvent event) {
    Map<String, PodLifecycleEvent.Type> seen = byPod.get(event.podUid());
    return seen == null || seen.get(event.id()) != event.type();
  }

  private static PodLifecycleEvent.Type type(ContainerState state) {
    return switch (state) {
      case RUNNING -> PodLifecycleEvent.Type.CONTAINER_STARTED;
      case EXITED -> PodLifecycleEvent.Type.CONTAINER_DIED;
      case CREATED, UNKNOWN -> PodLifecycleEvent.Type.CONTAINER_CHANGED;
    };
  }
}
