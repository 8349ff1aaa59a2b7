package io.berth.probes;

import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;

/**
 * A {@link ProbeScheduler} whose clock only moves when a test advances it; tasks run on the test's
 * thread, in time order, during {@link #advance} and {@link #runDue}.
 */
public final class ManualProbeScheduler implements ProbeScheduler {
  private record Task(Instant at, long seq, Runnable run, boolean[] cancelled) {}

  private final PriorityQueue<Task> queue =
      new PriorityQueue<>(
          (a, b) -> a.at.equals(b.at) ? Long.compare(a.seq, b.seq) : a.at.compareTo(b.at));
  private Instant now;
  private long seq;

  public ManualProbeScheduler(Instant start) {
    this.now = start;
  }

  @Override
  public Instant now() {
    return now;
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    var cancelled = new boolean[1];
    queue.add(
        new Task(now.plus(delay.isNegative() ? Duration.ZERO : delay), seq++, task, cancelled));
    return () -> cancelled[0] = true;
  }

  @Override
  public void execute(Runnable command) {
    schedule(Duration.ZERO, command);
  }

  /** Runs everything due now, including what those tasks schedule for now. */
  public void runDue() {
    advance(Duration.ZERO);
  }

  /** Moves the clock forward, running each task at its time. */
  public void advance(Duration by) {
    var target = now.plus(by);
    while (!queue.isEmpty() && !queue.peek().at.isAfter(target)) {
      var task = queue.poll();
      now = task.at.isAfter(now) ? task.at : now; // overdue tasks (after a stall) run late
      if (!task.cancelled[0]) {
        task.run.run();
      }
    }
    now = target;
  }

  /**
   * Moves the clock without running anything, like a loop thread that got no CPU; the overdue tasks
   * run late at the next {@link #runDue}/{@link #advance}.
   */
  public void stall(Duration by) {
    now = now.plus(by);
  }

  public void advanceSeconds(long seconds) {
    advance(Duration.ofSeconds(seconds));
  }
}
