package io.berth.agent.events;

import io.berth.agent.kubeapi.ApiException;
import io.berth.agent.kubeapi.RateLimiter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet's event path in API mode (client-go's {@code eventBroadcaster} with {@code
 * StartRecordingToSink}):
 *
 * <pre>{@code
 * pod workers, probes, node ─ event() ─▶ bounded queue (1000; full → dropped, counted)
 *        ─▶ one writer thread ─ EventCorrelator ─▶ EventSink: POST new / PATCH seen again
 *                               unreachable API server: 12 tries, 10 s apart (the first randomized), then dropped
 * }</pre>
 *
 * A write the server refuses with a status (validation, forbidden, a namespace that is gone, or
 * AlreadyExists) is not retried, as in client-go; only transport failures are. A patch of an event
 * the server no longer has becomes a create.
 *
 * <p>Thread safety: {@link #event} from any thread, never blocking; everything else runs on the
 * writer thread.
 */
public final class ApiEventRecorder implements EventRecorder, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ApiEventRecorder.class);

  /** client-go's {@code maxQueuedEvents}. */
  public static final int QUEUE_SIZE = 1000;

  /** The kubelet's {@code eventRecordQPS} default: the event client's own rate. */
  public static final double EVENT_RECORD_QPS = 50;

  /** The kubelet's {@code eventBurst} default. */
  public static final int EVENT_BURST = 100;

  /** client-go's {@code maxTriesPerEvent} and {@code defaultSleepDuration}. */
  static final int MAX_TRIES = 12;

  static final Duration RETRY_SLEEP = Duration.ofSeconds(10);

  private final String node;
  private final Clock clock;
  private final Supplier<EventSink> sink;
  private final RateLimiter.Sleeper sleeper;
  private final DoubleSupplier random;
  private final EventCorrelator correlator;
  private final BlockingQueue<CoreEvent> queue;
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private volatile Thread writer;

  /**
   * @param sink made on the writer thread at its first event (so that a bad kubeconfig shows where
   *     the rest of the control plane reports it, not here)
   * @param random the fraction of {@link #RETRY_SLEEP} to wait before the first retry
   */
  public ApiEventRecorder(
      String node,
      Clock clock,
      Supplier<EventSink> sink,
      RateLimiter.Sleeper sleeper,
      DoubleSupplier random,
      int queueSize) {
    this.node = node;
    this.clock = clock;
    this.sink = sink;
    this.sleeper = sleeper;
    this.random = random;
    this.correlator = new EventCorrelator(clock);
    this.queue = new ArrayBlockingQueue<>(queueSize);
  }

  @Override
  public void event(ObjectReference ref, EventType type, String reason, String message) {
    CoreEvent e = CoreEvent.of(ref, type, reason, message, node, clock.instant());
    if (!queue.offer(e)) {
      if (dropped.getAndIncrement() % 100 == 0) {
        log.warn(
            "event queue full ({} queued): dropping {} {} about {} {}/{}: {}",
            queue.size(),
            type.wire(),
            reason,
            ref.kind(),
            ref.namespace(),
            ref.name(),
            message);
      }
    }
  }

  /** Starts the writer thread. */
  public synchronized void start() {
    if (writer == null) {
      writer = Thread.ofPlatform().name("berth-events").daemon(true).start(this::run);
    }
  }

  private void run() {
    EventSink s = null;
    try {
      while (true) {
        CoreEvent e = queue.take();
        if (s == null) {
          s = sink.get();
        }
        write(s, e);
      }
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException re) {
      log.error("the event writer stopped; no more events are recorded", re);
    }
  }

  /** Correlates and writes one event, with client-go's retries. Runs on the writer thread. */
  void write(EventSink s, CoreEvent event) throws InterruptedException {
    EventCorrelator.Correlation c = correlator.correlate(event);
    switch (c) {
      case EventCorrelator.Correlation.Skip skip -> {
        log.debug(
            "event {} {} about {} dropped by the spam filter",
            skip.event().reason(),
            skip.event().message(),
            skip.event().involvedObject().name());
        return;
      }
      case EventCorrelator.Correlation.Create cr ->
          writeWithRetries(s, cr.event(), cr.key(), false);
      case EventCorrelator.Correlation.Patch p -> writeWithRetries(s, p.event(), p.key(), true);
    }
  }

  private void writeWithRetries(EventSink s, CoreEvent e, String key, boolean patch)
      throws InterruptedException {
    for (int tries = 1; ; tries++) {
      if (writeOnce(s, e, key, patch)) {
        return;
      }
      if (tries >= MAX_TRIES) {
        failed.incrementAndGet();
        log.error(
            "unable to write event {} {} about {}/{} after {} tries, dropping it: {}",
            e.reason(),
            e.name(),
            e.namespace(),
            e.involvedObject().name(),
            tries,
            e.message());
        return;
      }
      // the first wait is randomized so that many agents do not retry in step
      sleeper.sleep(
          tries == 1
              ? Duration.ofMillis((long) (RETRY_SLEEP.toMillis() * random.getAsDouble()))
              : RETRY_SLEEP);
    }
  }

  /** One attempt; false when it is worth trying again (the server could not be reached). */
  private boolean writeOnce(EventSink s, CoreEvent e, String key, boolean patch)
      throws InterruptedException {
    try {
      CoreEvent stored;
      if (patch) {
        try {
          stored = s.patch(e);
        } catch (ApiException ex) {
          if (!ex.isNotFound()) {
            throw ex;
          }
          stored = s.create(e); // the event expired or was deleted: create it again
        }
      } else {
        stored = s.create(e);
      }
      correlator.written(key, stored);
      written.incrementAndGet();
      return true;
    } catch (ApiException ex) {
      if (ex.code() == 0) {
        log.warn("unable to write event {} (will retry): {}", e.name(), ex.getMessage());
        return false;
      }
      if (ex.isAlreadyExists()) {
        log.debug("event {} already exists: {}", e.name(), ex.getMessage());
      } else {
        failed.incrementAndGet();
        log.error("server rejected event {} (will not retry): {}", e.name(), ex.getMessage());
      }
      return true;
    }
  }

  /** {@code berth_events_dropped_total} and friends on berth's /metrics. */
  public void bindMetrics(MeterRegistry registry) {
    FunctionCounter.builder("berth_events_dropped", dropped, AtomicLong::get)
        .description("Events dropped because the event queue was full")
        .register(registry);
    FunctionCounter.builder("berth_events_written", written, AtomicLong::get)
        .description("Event creates and patches the API server accepted")
        .register(registry);
    FunctionCounter.builder("berth_events_failed", failed, AtomicLong::get)
        .description("Events refused by the API server or given up on after 12 tries")
        .register(registry);
  }

  /** Events dropped because the queue was full. */
  public long dropped() {
    return dropped.get();
  }

  /** Events (creates and patches) the API server accepted. */
  public long written() {
    return written.get();
  }

  /** Events given up on: refused by the server, or not reachable in {@link #MAX_TRIES} tries. */
  public long failed() {
    return failed.get();
  }

  @Override
  public void close() {
    Thread t = writer;
    if (t != null) {
      t.interrupt();
    }
  }
}
