package io.berth.agent.kubeapi;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pass against the API server run on its own daemon thread with a fixed delay between passes
 * (status manager, node status, node lease); a pass that throws is logged and the next one runs.
 */
public final class Periodic implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Periodic.class);

  /** One pass; interrupted when berth stops. */
  @FunctionalInterface
  public interface Pass {
    void run() throws InterruptedException;
  }

  private final ScheduledExecutorService timer;

  private Periodic(ScheduledExecutorService timer) {
    this.timer = timer;
  }

  public static Periodic start(
      String threadName, Duration initialDelay, Duration delay, Pass pass) {
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name(threadName).unstarted(r));
    timer.scheduleWithFixedDelay(
        () -> {
          try {
            pass.run();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } catch (RuntimeException e) {
            log.error("{} pass failed", threadName, e);
          }
        },
        initialDelay.toMillis(),
        delay.toMillis(),
        TimeUnit.MILLISECONDS);
    return new Periodic(timer);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
