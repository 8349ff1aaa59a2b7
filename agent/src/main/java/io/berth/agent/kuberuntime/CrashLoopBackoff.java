package io.berth.agent.kuberuntime;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * The kubelet's container restart back-off ({@code doBackOff}): before (re)starting a container
 * whose latest instance exited, it is held back while less than the current back-off has passed
 * since that exit (reason {@code CrashLoopBackOff}); otherwise the back-off advances — 10 s,
 * doubling to 5 min — and the start proceeds. An entry resets when the container ran for more than
 * 10 minutes (the kubelet's {@code HasExpiredFunc}: exit time − last back-off update > 600 s).
 *
 * <p>Keyed like the kubelet's {@code getStableKey} (pod uid, container name, spec hash), so a
 * changed spec — a new image included — starts without a back-off.
 */
public final class CrashLoopBackoff {
  public static final String REASON = "CrashLoopBackOff";
  public static final Duration INITIAL = Duration.ofSeconds(10);
  public static final Duration MAX = Duration.ofMinutes(5);
  public static final Duration RESET_AFTER = Duration.ofMinutes(10);

  /** The back-off key of one container of one pod. */
  public record Key(String podUid, String containerName, String specHash) {}

  /** The result of the check: start now, or wait. */
  public sealed interface Decision {
    /** Start the container. */
    record Start() implements Decision {}

    /**
     * Do not start yet; the container's waiting reason is {@link #REASON}.
     *
     * @param message e.g. {@code back-off 20s restarting failed container=app pod=web_default(uid)}
     */
    record Wait(Duration backoff, String message) implements Decision {
      public String reason() {
        return REASON;
      }
    }
  }

  private final Backoff<Key> backoff;
  private final SpecHash hash;

  public CrashLoopBackoff(Clock clock, SpecHash hash) {
    this(new Backoff<>(clock, INITIAL, MAX, Backoff.ExpiryPolicy.after(RESET_AFTER)), hash);
  }

  public CrashLoopBackoff(Backoff<Key> backoff, SpecHash hash) {
    this.backoff = backoff;
    this.hash = hash;
  }

  /** {@code doBackOff}: decides, and advances the back-off when the start may proceed. */
  public Decision check(Pod pod, Container container, ObservedPod observed) {
    Optional<ObservedPod.Container> exited = observed.latestExited(container.getName());
    if (exited.isEmpty() || exited.get().finishedAt() == null) {
      return new Decision.Start();
    }
    var finished = exited.get().finishedAt();
    Key key = key(pod, container);
    if (backoff.isInBackOffSince(key, finished)) {
      Duration d = backoff.get(key);
      var m = pod.getMetadata();
      return new Decision.Wait(
          d,
          "back-off "
              + Backoff.goDuration(d)
              + " restarting failed container="
              + container.getName()
              + " pod="
              + m.getName()
              + "_"
              + m.getNamespace()
              + "("
              + m.getUid()
              + ")");
    }
    backoff.next(key, finished);
    return new Decision.Start();
  }

  public Key key(Pod pod, Container container) {
    return new Key(pod.getMetadata().getUid(), container.getName(), hash.of(container));
  }

  /** Drops expired entries (housekeeping). */
  public void gc() {
    backoff.gc();
  }
}
