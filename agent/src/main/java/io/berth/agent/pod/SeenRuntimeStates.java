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
 * container ID), so a start or a creation the worker has already seen can never hide a change.
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

  /**
   * Whether {@code event} tells the pod's worker something it has to act on:
   *
   * <ul>
   *   <li>a death always: the worker's last look may have seen it (a container that exits right
   *       after it started) without acting on it yet, and the restart policy must run now;
   *   <li>a start unless the worker saw that sandbox or container running;
   *   <li>a change (created, or unknown to the runtime) unless the worker has seen that ID at all:
   *       a relist that ran while the worker created a container reports it "created" after the
   *       worker already started it. The cost is that a container the runtime later reports in an
   *       unknown state waits for the next periodic sync.
   * </ul>
   */
  boolean isNews(PodLifecycleEvent event) {
    Map<String, PodLifecycleEvent.Type> seen = byPod.get(event.podUid());
    if (seen == null) {
      return true;
    }
    PodLifecycleEvent.Type last = seen.get(event.id());
    return switch (event.type()) {
      case CONTAINER_DIED, CONTAINER_REMOVED -> true;
      case CONTAINER_STARTED -> last != PodLifecycleEvent.Type.CONTAINER_STARTED;
      case CONTAINER_CHANGED -> last == null;
    };
  }

  private static PodLifecycleEvent.Type type(ContainerState state) {
    return switch (state) {
      case RUNNING -> PodLifecycleEvent.Type.CONTAINER_STARTED;
      case EXITED -> PodLifecycleEvent.Type.CONTAINER_DIED;
      case CREATED, UNKNOWN -> PodLifecycleEvent.Type.CONTAINER_CHANGED;
    };
  }
}
