package io.berth.probes;

import java.time.Duration;
import java.time.Instant;

/**
 * Watches whether the probe loop keeps up: a timer every {@link #SAMPLE} notes how late it fires. A
 * sample more than {@link #LAGGING} late marks the loop as lagging for the next {@link #MEMORY};
 * probe timeouts in that time say more about berth than about the container.
 *
 * <p>Thread safety: confined to the scheduler's thread, like the workers that ask it.
 */
final class LoopLag {
  static final Duration SAMPLE = Duration.ofMillis(100);
  static final Duration LAGGING = Duration.ofMillis(200);
  static final Duration MEMORY = Duration.ofSeconds(2);

  private final ProbeScheduler scheduler;
  private Instant expected;
  private Instant lastLaggingAt;
  private ProbeScheduler.Cancellable timer;
  private boolean stopped;

  LoopLag(ProbeScheduler scheduler) {
    this.scheduler = scheduler;
  }

  void start() {
    expected = scheduler.now().plus(SAMPLE);
    timer = scheduler.schedule(SAMPLE, this::sample);
  }

  void stop() {
    stopped = true;
    if (timer != null) {
      timer.cancel();
    }
  }

  private void sample() {
    if (stopped) {
      return;
    }
    var now = scheduler.now();
    if (Duration.between(expected, now).compareTo(LAGGING) > 0) {
      lastLaggingAt = now;
    }
    expected = now.plus(SAMPLE);
    timer = scheduler.schedule(SAMPLE, this::sample);
  }

  /** Whether a sample came more than {@link #LAGGING} late within the last {@link #MEMORY}. */
  boolean lagging() {
    return lastLaggingAt != null
        && Duration.between(lastLaggingAt, scheduler.now()).compareTo(MEMORY) <= 0;
  }
}
