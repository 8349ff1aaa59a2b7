package io.berth.agent.systemd;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The sync loop's pulse: the loop calls {@link #beat()} on every iteration; the watchdog and the
 * health check ask whether the last beat is recent enough.
 *
 * <p>Thread safety: lock-free; one writer, any number of readers.
 */
public final class Heartbeat {
  private final Clock clock;
  private final AtomicReference<Instant> last;

  public Heartbeat(Clock clock) {
    this.clock = clock;
    this.last = new AtomicReference<>(clock.instant());
  }

  public void beat() {
    last.set(clock.instant());
  }

  public Instant last() {
    return last.get();
  }

  /** Whether the loop beat within {@code maxAge} of now. */
  public boolean freshWithin(Duration maxAge) {
    return Duration.between(last.get(), clock.instant()).compareTo(maxAge) <= 0;
  }
}
