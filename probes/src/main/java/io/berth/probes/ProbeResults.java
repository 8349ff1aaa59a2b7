package io.berth.probes;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The one results channel: the latest result per (container ID, probe type), and a queue of {@link
 * ProbeUpdate}s that carries only changes (as the kubelet's {@code results.Manager} does). The
 * agent's sync loop takes updates from {@link #poll}/{@link #take}; anyone may read {@link #get}.
 *
 * <p>Thread safety: safe for one writer (the probe workers' scheduler thread) and any readers.
 */
public final class ProbeResults {
  private record Key(String containerId, ProbeType type) {}

  private final Map<Key, ProbeResult.Outcome> cache = new ConcurrentHashMap<>();
  private final BlockingQueue<ProbeUpdate> updates = new LinkedBlockingQueue<>();

  /** The cached result for a container, if a worker has set one. */
  public Optional<ProbeResult.Outcome> get(String containerId, ProbeType type) {
    return Optional.ofNullable(cache.get(new Key(containerId, type)));
  }

  /** Next update, waiting up to {@code timeout}; empty when none came. */
  public Optional<ProbeUpdate> poll(Duration timeout) throws InterruptedException {
    return Optional.ofNullable(updates.poll(timeout.toNanos(), TimeUnit.NANOSECONDS));
  }

  /** Next update, waiting as long as it takes. */
  public ProbeUpdate take() throws InterruptedException {
    return updates.take();
  }

  /** Moves every queued update into {@code sink}; returns how many. */
  public int drainTo(Collection<? super ProbeUpdate> sink) {
    return updates.drainTo(sink);
  }

  void set(ProbeUpdate update) {
    var outcome = cachedOutcome(update.result().outcome());
    var previous = cache.put(new Key(update.containerId(), update.type()), outcome);
    if (previous != outcome) {
      updates.add(update);
    }
  }

  void remove(String containerId, ProbeType type) {
    cache.remove(new Key(containerId, type));
  }

  private static ProbeResult.Outcome cachedOutcome(ProbeResult.Outcome outcome) {
    return outcome == ProbeResult.Outcome.WARNING ? ProbeResult.Outcome.SUCCESS : outcome;
  }
}
