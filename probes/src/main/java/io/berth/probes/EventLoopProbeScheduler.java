package io.berth.probes;

import io.netty.channel.EventLoop;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ProbeScheduler} on one Netty event loop: worker bookkeeping shares the thread with the
 * network probes it starts, so a probe result needs no thread hop back to its worker.
 */
public final class EventLoopProbeScheduler implements ProbeScheduler {
  private final EventLoop loop;
  private final Clock clock;

  public EventLoopProbeScheduler(EventLoop loop, Clock clock) {
    this.loop = loop;
    this.clock = clock;
  }

  @Override
  public Instant now() {
    return clock.instant();
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    var future = loop.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
    return () -> future.cancel(false);
  }

  @Override
  public void execute(Runnable command) {
    // Always queued, never run inline: a worker callback never re-enters the worker.
    loop.execute(command);
  }
}
