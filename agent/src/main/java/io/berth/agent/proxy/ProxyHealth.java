package io.berth.agent.proxy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The logic of kube-proxy's health server ({@code /healthz} on port 10256): healthy unless an
 * update has been queued and no sync has succeeded for longer than the timeout since (kube-proxy:
 * twice the sync period). Healthy while starting up and when fully synced.
 *
 * <p>Thread safety: all methods are synchronized.
 */
public final class ProxyHealth {

  /** What {@code /healthz} answers. */
  public record Status(boolean healthy, Optional<Instant> lastUpdated, Instant currentTime) {
    /** 200 when healthy, 503 otherwise (kube-proxy's codes). */
    public int httpStatus() {
      return healthy ? 200 : 503;
    }

    /** kube-proxy's body: {@code {"lastUpdated": "...", "currentTime": "..."}}. */
    public String json() {
      return "{\"lastUpdated\": \""
          + lastUpdated.map(Instant::toString).orElse("")
          + "\",\"currentTime\": \""
          + currentTime
          + "\"}";
    }
  }

  private final Clock clock;
  private final Duration timeout;
  private Instant oldestPendingQueued; // null: nothing queued since the last successful sync
  private Instant lastUpdated;
  private Instant lastQueued;

  public ProxyHealth(Clock clock, Duration timeout) {
    this.clock = clock;
    this.timeout = timeout;
  }

  /** A change was queued for the data plane; keeps the oldest such time. */
  public synchronized void queuedUpdate() {
    lastQueued = clock.instant();
    if (oldestPendingQueued == null) {
      oldestPendingQueued = clock.instant();
    }
  }

  /** When the last change was queued for the data plane (since start). */
  public synchronized Optional<Instant> lastQueued() {
    return Optional.ofNullable(lastQueued);
  }

  /** A sync succeeded: everything queued before it is applied. */
  public synchronized void updated() {
    oldestPendingQueued = null;
    lastUpdated = clock.instant();
  }

  public synchronized Status status() {
    Instant now = clock.instant();
    boolean healthy =
        oldestPendingQueued == null || !now.isAfter(oldestPendingQueued.plus(timeout));
    return new Status(healthy, Optional.ofNullable(lastUpdated), now);
  }
}
