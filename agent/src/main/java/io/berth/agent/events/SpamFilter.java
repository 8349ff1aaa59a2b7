package io.berth.agent.events;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * client-go's {@code EventSourceObjectSpamFilter}: a token bucket per (source, object, type: the
 * type is in the key since client-go 1.31, so Normal events cannot starve Warnings) — burst 25,
 * refilled at one token per 5 minutes — so one object cannot flood the API server. An event that
 * finds the bucket empty is dropped.
 *
 * <p>Thread safety: confined to the recorder's writer thread.
 */
final class SpamFilter {
  static final int BURST = 25;
  static final Duration REFILL = Duration.ofMinutes(5);

  private static final class Bucket {
    double tokens = BURST;
    Instant last;
  }

  private final Clock clock;
  private final LruCache<String, Bucket> buckets = new LruCache<>(EventCorrelator.CACHE_SIZE);

  SpamFilter(Clock clock) {
    this.clock = clock;
  }

  /** True when {@code e} must be dropped. */
  boolean filter(CoreEvent e) {
    Instant now = clock.instant();
    Bucket b = buckets.computeIfAbsent(key(e), k -> new Bucket());
    if (b.last != null) {
      double refilled = (double) Duration.between(b.last, now).toNanos() / REFILL.toNanos();
      b.tokens = Math.min(BURST, b.tokens + Math.max(0, refilled));
    }
    b.last = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return false;
    }
    return true;
  }

  private static String key(CoreEvent e) {
    return String.join("\u0000", e.sourceHost(), e.involvedObject().identity(), e.type().wire());
  }
}
