package io.berth.agent.pod;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The kubelet's pod startup latency tracker: from the first status berth computes for a pod until
 * the first status in which every app container is running (the first sync of the pod's worker
 * starts the clock), minus the time spent pulling images (the SLI, {@code
 * kubelet_pod_start_sli_duration_seconds}) and with it ({@code
 * kubelet_pod_start_duration_seconds}). A pod adopted after a berth restart, whose containers the
 * runtime already had at its first sync, is not counted.
 *
 * <p>Thread safety: any thread.
 */
public final class PodStartLatency {
  /** Receives one observation per started pod. */
  public interface Observer {
    void started(Duration sli, Duration total);

    Observer NONE = (sli, total) -> {};
  }

  private record Tracking(Instant firstSeen, Duration pulling) {}

  private final Map<String, Tracking> starting = new ConcurrentHashMap<>();
  private final Map<String, Boolean> done = new ConcurrentHashMap<>();
  private final Observer observer;

  public PodStartLatency(Observer observer) {
    this.observer = observer;
  }

  /** Time the pod's worker spent pulling an image. */
  public void pulled(String uid, Duration d) {
    starting.computeIfPresent(uid, (u, t) -> new Tracking(t.firstSeen(), t.pulling().plus(d)));
  }

  /**
   * A worker's sync of pod {@code uid} begins at {@code now}; {@code runtimeHasContainers} tells
   * whether the runtime already has containers of it (then it was adopted, not started by this
   * berth, and is not counted).
   */
  void syncStarts(String uid, boolean runtimeHasContainers, Instant now) {
    if (done.containsKey(uid) || starting.containsKey(uid)) {
      return;
    }
    if (runtimeHasContainers) {
      done.put(uid, true);
    } else {
      starting.put(uid, new Tracking(now, Duration.ZERO));
    }
  }

  /** A freshly computed status of pod {@code uid} at {@code now}. */
  void statusComputed(String uid, PodStatus status, Instant now) {
    Tracking t = starting.get(uid);
    if (t == null) {
      return;
    }
    if (allRunning(status.getContainerStatuses())) {
      starting.remove(uid);
      done.put(uid, true);
      Duration total = Duration.between(t.firstSeen(), now);
      Duration sli = total.minus(t.pulling());
      observer.started(sli.isNegative() ? Duration.ZERO : sli, total);
    }
  }

  /** Forgets a terminated pod. */
  void forget(String uid) {
    starting.remove(uid);
    done.remove(uid);
  }

  private static boolean allRunning(List<ContainerStatus> cs) {
    return cs != null
        && !cs.isEmpty()
        && cs.stream().allMatch(c -> c.getState() != null && c.getState().getRunning() != null);
  }
}
