package io.berth.agent.events;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The pod syncer's events about pods and their containers. Events of a sync that waits (back-off, a
 * missing volume or config object) are recorded at most once per {@link #WAITING_PERIOD} for the
 * same container, reason and message: berth retries such a sync every second where the kubelet's
 * pod worker backs off about 10 s after a failed sync, and one event per retry would spend the
 * object's spam-filter budget (25) in seconds.
 *
 * <p>Thread safety: safe for the pod workers (the repeat table is synchronized).
 */
public final class PodEvents {
  /** The kubelet's pod worker back-off after a failed sync ({@code workerBackOffPeriod}). */
  public static final Duration WAITING_PERIOD = Duration.ofSeconds(10);

  /** Records nothing. */
  public static final PodEvents NONE = new PodEvents(EventRecorder.NONE, Clock.systemUTC());

  private final EventRecorder recorder;
  private final Clock clock;
  private final LruCache<String, Instant> waiting = new LruCache<>(EventCorrelator.CACHE_SIZE);

  public PodEvents(EventRecorder recorder, Clock clock) {
    this.recorder = recorder;
    this.clock = clock;
  }

  /** An event about one of the pod's containers. */
  public void container(Pod pod, String container, EventType type, String reason, String message) {
    recorder.event(ObjectReference.container(pod, container), type, reason, message);
  }

  /** An event about a container that waits; repeats within {@link #WAITING_PERIOD} are left out. */
  public void containerWaiting(
      Pod pod, String container, EventType type, String reason, String message) {
    ObjectReference ref = ObjectReference.container(pod, container);
    if (due(ref, reason, message)) {
      recorder.event(ref, type, reason, message);
    }
  }

  /** The kubelet's {@code Failed} warning "Error: DETAIL" about a container that waits. */
  public void containerFailed(Pod pod, String container, String detail) {
    containerWaiting(
        pod,
        container,
        EventType.WARNING,
        KubeletEvents.FAILED_TO_CREATE_CONTAINER,
        "Error: " + detail);
  }

  /** An event about the pod that waits (FailedMount); repeats are left out as above. */
  public void podWaiting(Pod pod, EventType type, String reason, String message) {
    ObjectReference ref = ObjectReference.pod(pod);
    if (due(ref, reason, message)) {
      recorder.event(ref, type, reason, message);
    }
  }

  /** A duration as Go prints one truncated to milliseconds ("523ms", "1.5s", "2m3.25s"). */
  public static String goMillis(Duration d) {
    long ms = Math.max(0, d.toMillis());
    if (ms < 1000) {
      return ms + "ms";
    }
    long minutes = ms / 60_000;
    long rest = ms % 60_000;
    String seconds =
        java.math.BigDecimal.valueOf(rest, 3).stripTrailingZeros().toPlainString() + "s";
    if (minutes == 0) {
      return seconds;
    }
    return minutes / 60 > 0
        ? minutes / 60 + "h" + minutes % 60 + "m" + seconds
        : minutes + "m" + seconds;
  }

  private boolean due(ObjectReference ref, String reason, String message) {
    String key = ref.uid() + "\u0000" + ref.fieldPath() + "\u0000" + reason + "\u0000" + message;
    Instant now = clock.instant();
    synchronized (waiting) {
      Instant last = waiting.get(key);
      if (last != null && Duration.between(last, now).compareTo(WAITING_PERIOD) < 0) {
        return false;
      }
      waiting.put(key, now);
      return true;
    }
  }
}
