package io.berth.probes;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executor;

/**
 * Time and a single serial thread for probe workers: every worker callback runs through {@link
 * #execute} or {@link #schedule}, one at a time, so worker state needs no locks. Tests inject a
 * manual implementation whose clock they advance; production uses {@link EventLoopProbeScheduler}.
 */
public interface ProbeScheduler extends Executor {

  /** The current time on this scheduler's clock. */
  Instant now();

  /** Runs {@code task} on the scheduler's thread after {@code delay}. */
  Cancellable schedule(Duration delay, Runnable task);

  /** A scheduled task that can be called off. */
  @FunctionalInterface
  interface Cancellable {
    void cancel();
  }
}
