package io.berth.agent.proxy;

import io.berth.agent.testing.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * A {@link TaskScheduler} on a {@link FakeClock}: tasks run on the test's thread when the test
 * advances time past their due time, in due order, with the clock set to that time.
 */
final class FakeScheduler implements TaskScheduler {
  private record Task(Instant at, long seq, Runnable r, boolean[] cancelled) {}

  private final FakeClock clock;
  private final PriorityQueue<Task> tasks =
      new PriorityQueue<>(Comparator.comparing(Task::at).thenComparingLong(Task::seq));
  private long seq;

  FakeScheduler(FakeClock clock) {
    this.clock = clock;
  }

  @Override
  public synchronized Cancellable schedule(Duration delay, Runnable task) {
    boolean[] cancelled = {false};
    tasks.add(new Task(clock.instant().plus(delay), seq++, task, cancelled));
    return () -> cancelled[0] = true;
  }

  /** Moves time forward by {@code d}, running every task that falls due on the way. */
  void advance(Duration d) {
    Instant target = clock.instant().plus(d);
    while (true) {
      Task t;
      synchronized (this) {
        t = tasks.peek();
        if (t == null || t.at().isAfter(target)) {
          break;
        }
        tasks.poll();
      }
      if (t.cancelled()[0]) {
        continue;
      }
      if (t.at().isAfter(clock.instant())) {
        clock.set(t.at());
      }
      t.r().run();
    }
    clock.set(target);
  }

  /** Runs what is due now. */
  void runDue() {
    advance(Duration.ZERO);
  }

  /** Live (not cancelled) tasks. */
  synchronized long pending() {
    return tasks.stream().filter(t -> !t.cancelled()[0]).count();
  }
}
