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

  /**
   * Runs {@code task} after {@code initialDelay} and then {@code period} after each run ends, until
   * the returned handle is cancelled. A run that throws is logged (as {@code what}) and the next
   * run still comes.
   */
  default Cancellable repeat(Duration initialDelay, Duration period, Runnable task, String what) {
    TaskScheduler scheduler = this;
    var loop =
        new Object() {
          volatile boolean cancelled;
          volatile Cancellable next;

          void tick() {
            if (cancelled) {
              return;
            }
            try {
              task.run();
            } catch (RuntimeException e) {
              org.slf4j.LoggerFactory.getLogger(TaskScheduler.class)
                  .error("{} failed; again in {} ms", what, period.toMillis(), e);
            }
            if (!cancelled) {
              next = scheduler.schedule(period, this::tick);
            }
          }
        };
    loop.next = schedule(initialDelay, loop::tick);
    return () -> {
      loop.cancelled = true;
      Cancellable n = loop.next;
      if (n != null) {
        n.cancel();
      }
    };
  }

  /** Adapts an executor; tasks run on its threads. */
  static TaskScheduler of(ScheduledExecutorService executor) {
    return (delay, task) -> {
      ScheduledFuture<?> f =
          executor.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
      return () -> f.cancel(false);
    };
  }
}
