package io.berth.agent.kubeapi;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * A token bucket like client-go's default limiter: {@code qps} tokens per second, at most {@code
 * burst} saved up (the kubelet's --kube-api-qps 50 / --kube-api-burst 100). Thread-safe; waiting
 * goes through the injected {@link Sleeper} so tests advance a fake clock instead of sleeping.
 */
public final class RateLimiter {
  /** Waits; the default sleeps the calling thread. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;

    Sleeper THREAD = d -> Thread.sleep(d.toMillis(), (int) (d.toNanosPart() % 1_000_000));
  }

  private final double qps;
  private final double burst;
  private final Clock clock;
  private final Sleeper sleeper;
  private final boolean unlimited;
  private double tokens;
  private Instant last;

  public RateLimiter(double qps, int burst, Clock clock, Sleeper sleeper) {
    this(qps, burst, clock, sleeper, false);
    if (qps <= 0 || burst < 1) {
      throw new IllegalArgumentException(
          "qps must be > 0 and burst >= 1, got " + qps + "/" + burst);
    }
  }

  /** No limit: client-go's QPS -1, which the kubelet's heartbeat client uses. */
  public static RateLimiter unlimited(Clock clock, Sleeper sleeper) {
    return new RateLimiter(1, 1, clock, sleeper, true);
  }

  private RateLimiter(double qps, int burst, Clock clock, Sleeper sleeper, boolean unlimited) {
    this.unlimited = unlimited;
    this.qps = qps;
    this.burst = burst;
    this.clock = clock;
    this.sleeper = sleeper;
    this.tokens = burst;
    this.last = clock.instant();
  }

  /** Takes one token, waiting until one is available. */
  public void acquire() throws InterruptedException {
    if (unlimited) {
      return;
    }
    Duration wait = reserve();
    if (!wait.isZero()) {
      sleeper.sleep(wait);
    }
  }

  /** Takes one token now (possibly going into debt) and says how long to wait for it. */
  synchronized Duration reserve() {
    Instant now = clock.instant();
    double elapsed = Duration.between(last, now).toNanos() / 1e9;
    if (elapsed > 0) {
      tokens = Math.min(burst, tokens + elapsed * qps);
      last = now;
    }
    tokens -= 1;
    if (tokens >= 0) {
      return Duration.ZERO;
    }
    return Duration.ofNanos((long) Math.ceil(-tokens / qps * 1e9));
  }
}
