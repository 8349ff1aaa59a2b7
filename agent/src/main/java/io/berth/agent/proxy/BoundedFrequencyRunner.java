package io.berth.agent.proxy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a function no more often than a token bucket allows and no less often than {@code
 * maxInterval}, like kube-proxy's {@code BoundedFrequencyRunner}:
 *
 * <ul>
 *   <li>{@link #run()} asks for a run as soon as allowed; calls while one is pending or running
 *       coalesce into one run;
 *   <li>{@code burst} runs may happen back to back; then one run per {@code minInterval} (the
 *       bucket refills one token per {@code minInterval});
 *   <li>a run happens at least every {@code maxInterval} after the previous one ended;
 *   <li>{@link #retryAfter} asks for a run after a delay unless one happens sooner.
 * </ul>
 *
 * <p>Thread safety: {@link #run()}, {@link #retryAfter} and {@link #stop()} may be called from any
 * thread, also from the function itself; the function runs on the scheduler's thread, one run at a
 * time.
 */
public final class BoundedFrequencyRunner {
  private static final Logger log = LoggerFactory.getLogger(BoundedFrequencyRunner.class);
  private final String name;
  private final Runnable fn;
  private final long minNanos;
  private final Duration maxInterval;
  private final long bucketNanos;
  private final Clock clock;
  private final TaskScheduler scheduler;

  // guarded by this
  private long budgetNanos;
  private Instant refilledAt;
  private boolean started;
  private boolean running;
  private boolean runRequested;
  private Instant retryAt;
  private Instant maxAt;
  private TaskScheduler.Cancellable timer;
  private Instant timerAt;
  private long timerGeneration; // a cancelled timer that fires anyway is ignored

  public BoundedFrequencyRunner(
      String name,
      Runnable fn,
      Duration minInterval,
      Duration maxInterval,
      int burst,
      Clock clock,
      TaskScheduler scheduler) {
    this.name = Objects.requireNonNull(name, "name");
    this.fn = Objects.requireNonNull(fn, "fn");
    if (minInterval.isNegative() || maxInterval.compareTo(minInterval) < 0 || burst < 1) {
      throw new IllegalArgumentException(
          name
              + ": need 0 <= minInterval <= maxInterval and burst >= 1: "
              + minInterval
              + ", "
              + maxInterval
              + ", "
              + burst);
    }
    this.minNanos = minInterval.toNanos();
    this.maxInterval = maxInterval;
    this.bucketNanos = minNanos * burst;
    this.clock = clock;
    this.scheduler = scheduler;
  }

  /** Starts the timers; the first run happens on {@link #run()} or after {@code maxInterval}. */
  public synchronized void start() {
    if (started) {
      return;
    }
    started = true;
    refilledAt = clock.instant();
    budgetNanos = bucketNanos; // the bucket starts full, like flowcontrol's token bucket
    maxAt = refilledAt.plus(maxInterval);
    reschedule();
  }

  /** Stops the timers; a run in progress finishes. */
  public synchronized void stop() {
    started = false;
    cancelTimer();
  }

  /** Requests a run as soon as the rate limit allows. */
  public synchronized void run() {
    runRequested = true;
    reschedule();
  }

  /** Requests a run after {@code delay} unless one happens sooner (e.g. after a failed sync). */
  public synchronized void retryAfter(Duration delay) {
    Instant at = clock.instant().plus(delay);
    if (retryAt == null || at.isBefore(retryAt)) {
      retryAt = at;
    }
    reschedule();
  }

  private void fire(long generation) {
    synchronized (this) {
      if (generation != timerGeneration) {
        return;
      }
      timer = null;
      timerAt = null;
      if (!started || running) {
        return;
      }
      Instant now = clock.instant();
      refill(now);
      boolean due =
          runRequested || (retryAt != null && !now.isBefore(retryAt)) || !now.isBefore(maxAt);
      if (!due || budgetNanos < minNanos) {
        reschedule();
        return;
      }
      budgetNanos -= minNanos;
      running = true;
      runRequested = false;
      retryAt = null;
    }
    boolean crashed = false;
    try {
      fn.run();
    } catch (RuntimeException e) {
      crashed = true;
      log.error("{}: run failed, retrying after {} ms", name, crashRetry().toMillis(), e);
    } finally {
      synchronized (this) {
        running = false;
        Instant end = clock.instant();
        maxAt = end.plus(maxInterval);
        if (crashed) {
          Instant at = end.plus(crashRetry());
          retryAt = retryAt == null || at.isBefore(retryAt) ? at : retryAt;
        }
        reschedule();
      }
    }
  }

  private Duration crashRetry() {
    return Duration.ofNanos(Math.max(minNanos, Duration.ofSeconds(1).toNanos()));
  }

  private void refill(Instant now) {
    long elapsed = Duration.between(refilledAt, now).toNanos();
    if (elapsed > 0) {
      budgetNanos = Math.min(bucketNanos, budgetNanos + elapsed);
      refilledAt = now;
    }
  }

  private void reschedule() {
    if (!started || running) {
      return; // the end of the run reschedules
    }
    Instant now = clock.instant();
    refill(now);
    Instant target = maxAt;
    if (retryAt != null && retryAt.isBefore(target)) {
      target = retryAt;
    }
    if (runRequested && now.isBefore(target)) {
      target = now;
    }
    if (budgetNanos < minNanos) {
      Instant tokenAt = now.plusNanos(minNanos - budgetNanos);
      if (tokenAt.isAfter(target)) {
        target = tokenAt;
      }
    }
    if (timer != null && target.equals(timerAt)) {
      return;
    }
    cancelTimer();
    timerAt = target;
    Duration delay = Duration.between(now, target);
    long generation = ++timerGeneration;
    timer = scheduler.schedule(delay.isNegative() ? Duration.ZERO : delay, () -> fire(generation));
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel();
      timerGeneration++;
      timer = null;
      timerAt = null;
    }
  }
}
