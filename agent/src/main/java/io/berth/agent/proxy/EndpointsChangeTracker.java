package io.berth.agent.proxy;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects EndpointSlice changes until the next sync (kube-proxy's {@code EndpointsChangeTracker}
 * over an {@link EndpointSliceCache}), with the slices' last-change trigger times for the network
 * programming latency.
 *
 * <p>Thread safety: all methods are synchronized; watch handlers and the sync thread share it.
 */
public final class EndpointsChangeTracker {
  private static final Logger log = LoggerFactory.getLogger(EndpointsChangeTracker.class);

  /** What {@link #checkout()} hands to a sync. */
  public record Checkout(
      Map<ServiceKey, Change<ServiceEndpoints>> changes,
      Map<ServiceKey, List<Instant>> triggerTimes) {}

  private final String nodeName;
  private final Instant startTime;
  private final EndpointSliceCache cache = new EndpointSliceCache();
  private final Map<ServiceKey, List<Instant>> triggerTimes = new HashMap<>();

  public EndpointsChangeTracker(String nodeName, Clock clock) {
    this.nodeName = nodeName;
    this.startTime = clock.instant();
  }

  /**
   * Records a slice that was added or updated ({@code removed} false) or deleted. Returns whether a
   * change is now pending. Slices kube-proxy ignores (FQDN, headless, no service label) are ignored
   * here too; a slice with invalid content is logged and treated as deleted.
   */
  public synchronized boolean update(EndpointSlice slice, boolean removed) {
    Optional<ServiceKey> service = SliceInfo.serviceOf(slice);
    if (service.isEmpty()) {
      log.debug(
          "ignoring endpointslice {} without {} label",
          slice.getMetadata().getName(),
          SliceInfo.SERVICE_NAME_LABEL);
      return cache.hasPending();
    }
    String name = slice.getMetadata().getName();
    Optional<SliceInfo> info = Optional.empty();
    if (!removed) {
      try {
        info = SliceInfo.from(slice, nodeName);
      } catch (IllegalArgumentException e) {
        log.warn("ignoring invalid endpointslice (treated as deleted): {}", e.getMessage());
      }
    }
    boolean changed = cache.updatePending(service.get(), name, info);
    if (changed && !removed) {
      // kube-proxy: only trigger times after the tracker started count (older ones were not ours).
      SliceInfo.triggerTime(slice)
          .filter(t -> !t.isBefore(startTime))
          .ifPresent(
              t -> triggerTimes.computeIfAbsent(service.get(), k -> new ArrayList<>()).add(t));
    }
    return cache.hasPending();
  }

  /** Whether a sync has something to apply. */
  public synchronized boolean hasPending() {
    return cache.hasPending();
  }

  /** Takes the pending changes (only Services whose merged endpoints really changed). */
  public synchronized Checkout checkout() {
    Map<ServiceKey, Change<ServiceEndpoints>> changes = cache.checkoutChanges();
    Map<ServiceKey, List<Instant>> times = new HashMap<>();
    triggerTimes.forEach(
        (k, v) -> {
          if (changes.containsKey(k)) {
            times.put(k, List.copyOf(v));
          }
        });
    triggerTimes.clear();
    return new Checkout(changes, times);
  }
}
