package io.berth.agent.probe;

import io.berth.agent.testing.FakeClock;
import io.berth.probes.ProbeScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;

/**
 * A {@link ProbeScheduler} on the agent's {@link FakeClock}: tasks run on the test's thread, in
 * time order, while {@link #advance} moves the clock. Nothing sleeps.
 */
final class FakeProbeScheduler implements ProbeScheduler {
  private record Task(Instant at, long seq, Runnable run, boolean[] cancelled) {}

  private final FakeClock clock;
  private final PriorityQueue<Task> due =
      new PriorityQueue<>(
          (a, b) -> a.at.equals(b.at) ? Long.compare(a.seq, b.seq) : a.at.compareTo(b.at));
  private long seq;

  FakeProbeScheduler(FakeClock clock) {
    this.clock = clock;
  }

  @Override
  public Instant now() {
    return clock.instant();
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    boolean[] cancelled = new boolean[1];
    due.add(
        new Task(now().plus(delay.isNegative() ? Duration.ZERO : delay), seq++, task, cancelled));
    return () -> cancelled[0] = true;
  }

  @Override
  public void execute(Runnable command) {
    schedule(Duration.ZERO, command);
  }

  /** Moves the clock by {@code d}, running every task that falls due on the way. */
  void advance(Duration d) {
    Instant target = now().plus(d);
    while (!due.isEmpty() && !due.peek().at.isAfter(target)) {
      Task t = due.poll();
      clock.set(t.at);
      if (!t.cancelled[0]) {
        t.run.run();
      }
    }
    clock.set(target);
  }
}
