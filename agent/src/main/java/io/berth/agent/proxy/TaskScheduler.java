package io.berth.agent.proxy;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task after a delay: a {@link ScheduledExecutorService} in production, a fake driven by a
 * fake clock in tests (so timer-driven code is tested without sleeping).
 */
public interface TaskScheduler {

  /** A scheduled task that has not run yet can be cancelled. */
  interface Cancellable {
    void cancel();
  }

  Cancellable schedule(Duration delay, Runnable task);

  /** Adapts an executor; tasks run on its threads. */
  static TaskScheduler of(ScheduledExecutorService executor) {
    return (delay, task) -> {
      ScheduledFuture<?> f =
          executor.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
      return () -> f.cancel(false);
    };
  }
}
