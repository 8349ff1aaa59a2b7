package io.berth.agent;

import io.berth.agent.config.PodUpdate;
import io.berth.agent.pod.PodLifecycleEvent;
import io.berth.agent.systemd.Heartbeat;
import io.berth.probes.ProbeUpdate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * berth's sync loop: one dispatcher thread over its event sources that only dispatches, and beats
 * the {@link Heartbeat} that the watchdog and {@code /healthz} read.
 *
 * <p>Its sources: pod config updates (fed by a thread that takes them from {@code PodConfig}), PLEG
 * events, probe result changes (fed by a thread that takes them from the probes' results channel),
 * and the housekeeping tick (every period, as the kubelet's, even while events keep arriving).
 * Handlers must stay short: long work belongs to pod workers.
 */
final class SyncLoop implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SyncLoop.class);

  /** What the loop reacts to. */
  sealed interface Event permits PodConfigUpdate, PlegEvent, ProbeResultEvent, Housekeeping, Stop {}

  /** A merged change of the pod sources. */
  record PodConfigUpdate(PodUpdate update) implements Event {}

  /** A container or sandbox of a pod changed state in the runtime. */
  record PlegEvent(PodLifecycleEvent event) implements Event {}

  /** A container's liveness, readiness or startup result changed. */
  record ProbeResultEvent(ProbeUpdate update) implements Event {}

  /** The periodic tick; also sent when nothing else arrived within the period. */
  record Housekeeping() implements Event {}

  /** Ends the loop. */
  record Stop() implements Event {}

  /** Work done on each housekeeping tick, on the loop's thread. */
  interface HousekeepingHandler {
    void housekeep();
  }

  /** Handles pod events on the loop's thread; must not block. */
  interface PodEventHandler {
    void podConfigChanged(PodUpdate update);

    void podLifecycleEvent(PodLifecycleEvent event);
  }

  private static final PodEventHandler NO_PODS =
      new PodEventHandler() {
        @Override
        public void podConfigChanged(PodUpdate update) {
          log.warn(
              "pod update without a pod handler, dropped: {}", update.getClass().getSimpleName());
        }

        @Override
        public void podLifecycleEvent(PodLifecycleEvent event) {}
      };

  private final Heartbeat heartbeat;
  private final Duration period;
  private final List<HousekeepingHandler> housekeeping = new ArrayList<>();
  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private PodEventHandler pods = NO_PODS;
  private Consumer<ProbeUpdate> probeResults = u -> {};
  private Thread thread;

  SyncLoop(Heartbeat heartbeat, Duration period) {
    this.heartbeat = heartbeat;
    this.period = period;
  }

  SyncLoop onHousekeeping(HousekeepingHandler handler) {
    housekeeping.add(handler);
    return this;
  }

  /** Sets the pod handler; call before {@link #start()}. */
  SyncLoop onPodEvents(PodEventHandler handler) {
    this.pods = handler;
    return this;
  }

  /**
   * Sets the probe result handler (the kubelet's {@code handleProbeSync}); before {@link #start()}.
   */
  SyncLoop onProbeResults(Consumer<ProbeUpdate> handler) {
    this.probeResults = handler;
    return this;
  }

  /** Queues an event for the loop; any thread. */
  void offer(Event event) {
    events.add(event);
  }

  synchronized void start() {
    thread = Thread.ofPlatform().name("berth-sync-loop").daemon(false).start(this::run);
  }

  private void run() {
    long lastHousekeeping = System.nanoTime();
    while (true) {
      Event event;
      try {
        event = events.poll(period.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      heartbeat.beat();
      switch (event == null ? new Housekeeping() : event) {
        case PodConfigUpdate u -> dispatch(() -> pods.podConfigChanged(u.update()), u);
        case PlegEvent p -> dispatch(() -> pods.podLifecycleEvent(p.event()), p);
        case ProbeResultEvent r -> dispatch(() -> probeResults.accept(r.update()), r);
        case Housekeeping h -> {
          housekeep();
          lastHousekeeping = System.nanoTime();
        }
        case Stop s -> {
          return;
        }
      }
      if (System.nanoTime() - lastHousekeeping >= period.toNanos()) {
        housekeep();
        lastHousekeeping = System.nanoTime();
      }
    }
  }

  private static void dispatch(Runnable handler, Event event) {
    try {
      handler.run();
    } catch (RuntimeException e) {
      log.error("sync loop: handling {} failed", event, e);
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
