package io.berth.agent;

import io.berth.agent.systemd.Heartbeat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * berth's sync loop: one dispatcher thread over its event sources that only dispatches, and beats
 * the {@link Heartbeat} that the watchdog and {@code /healthz} read.
 *
 * <p>Today its one source is the housekeeping tick (every second, as the kubelet's). Pod config
 * updates, PLEG events and probe results join it as {@link Event} variants when the pod lifecycle
 * lands; handlers must stay short, since long work belongs to pod workers.
 */
final class SyncLoop implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SyncLoop.class);

  /** What the loop reacts to. */
  sealed interface Event permits Housekeeping, Stop {}

  /** The periodic tick; also sent when nothing else arrived within the period. */
  record Housekeeping() implements Event {}

  /** Ends the loop. */
  record Stop() implements Event {}

  /** Work done on each housekeeping tick, on the loop's thread. */
  interface HousekeepingHandler {
    void housekeep();
  }

  private final Heartbeat heartbeat;
  private final Duration period;
  private final List<HousekeepingHandler> housekeeping = new ArrayList<>();
  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private Thread thread;

  SyncLoop(Heartbeat heartbeat, Duration period) {
    this.heartbeat = heartbeat;
    this.period = period;
  }

  SyncLoop onHousekeeping(HousekeepingHandler handler) {
    housekeeping.add(handler);
    return this;
  }

  synchronized void start() {
    thread = Thread.ofPlatform().name("berth-sync-loop").daemon(false).start(this::run);
  }

  private void run() {
    while (true) {
      Event event;
      try {
        event = events.poll(period.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      heartbeat.beat();
      switch (event == null ? new Housekeeping() : event) {
        case Housekeeping h -> housekeep();
        case Stop s -> {
          return;
        }
      }
    }
  }

  private void housekeep() {
    for (HousekeepingHandler h : housekeeping) {
      try {
        h.housekeep();
      } catch (RuntimeException e) {
        log.warn("housekeeping step {} failed", h, e);
      }
    }
  }

  @Override
  public synchronized void close() {
    if (thread != null) {
      events.add(new Stop());
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
