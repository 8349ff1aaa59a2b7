package io.berth.agent.kubeapi;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.DoubleSupplier;

/**
 * Exponential back-off with jitter for re-lists and re-watches, client-go's reflector defaults: 800
 * ms doubling to 30 s, each delay plus up to 100 % random jitter, reset once the last failure is
 * two minutes old. Not thread-safe: one per informer loop.
 */
public final class RetryBackoff {
  private final Duration initial;
  private final Duration max;
  private final Duration resetAfter;
  private final Clock clock;
  private final DoubleSupplier random;
  private Duration current;
  private Instant lastFailure;

  public RetryBackoff(
      Duration initial, Duration max, Duration resetAfter, Clock clock, DoubleSupplier random) {
    this.initial = initial;
    this.max = max;
    this.resetAfter = resetAfter;
    this.clock = clock;
    this.random = random;
  }

  /** client-go's reflector back-off with a real random source. */
  public static RetryBackoff reflectorDefaults(Clock clock) {
    return new RetryBackoff(
        Duration.ofMillis(800),
        Duration.ofSeconds(30),
        Duration.ofMinutes(2),
        clock,
        () -> java.util.concurrent.ThreadLocalRandom.current().nextDouble());
  }

  /** The delay before the next attempt after a failure now. */
  public Duration next() {
    Instant now = clock.instant();
    if (current == null
        || lastFailure != null && Duration.between(lastFailure, now).compareTo(resetAfter) > 0) {
      current = initial;
    } else {
      current = current.multipliedBy(2);
      if (current.compareTo(max) > 0) {
        current = max;
      }
    }
    lastFailure = now;
    return current.plusNanos((long) (current.toNanos() * random.getAsDouble()));
  }

  /** After a success: the next failure starts from the initial delay again. */
  public void reset() {
    current = null;
  }
}
