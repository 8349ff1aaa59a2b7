package io.berth.agent.proxy;

import io.fabric8.kubernetes.api.model.Service;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects Service changes until the next sync (kube-proxy's {@code ServiceChangeTracker}): per
 * Service the converted state at the last sync ({@code previous}) and now ({@code current}). A
 * change reverted before the sync leaves nothing pending.
 *
 * <p>Thread safety: all methods are synchronized.
 */
public final class ServiceChangeTracker {
  private static final Logger log = LoggerFactory.getLogger(ServiceChangeTracker.class);
  private final ServiceConverter converter;
  private final Map<ServiceKey, Change<ServiceInfo>> items = new HashMap<>();

  public ServiceChangeTracker(ServiceConverter converter) {
    this.converter = converter;
  }

  /**
   * Records an add ({@code previous} null), update, or delete ({@code current} null). Returns
   * whether any change is pending.
   */
  public synchronized boolean update(Service previous, Service current) {
    Service any = current != null ? current : previous;
    if (any == null) {
      throw new IllegalArgumentException("update with neither previous nor current service");
    }
    ServiceKey key = ServiceKey.of(any.getMetadata());
    Change<ServiceInfo> known = items.get(key);
    Optional<ServiceInfo> before = known != null ? known.previous() : convert(previous);
    Change<ServiceInfo> c = new Change<>(before, convert(current));
    if (c.isNoop()) {
      items.remove(key);
    } else {
      items.put(key, c);
    }
    return !items.isEmpty();
  }

  private Optional<ServiceInfo> convert(Service svc) {
    if (svc == null) {
      return Optional.empty();
    }
    try {
      Optional<String> skip = converter.skipReason(svc);
      skip.ifPresent(
          r -> log.debug("skipping service {}: {}", ServiceKey.of(svc.getMetadata()), r));
      return converter.convert(svc);
    } catch (IllegalArgumentException e) {
      log.warn("ignoring invalid service (treated as absent): {}", e.getMessage());
      return Optional.empty();
    }
  }

  public synchronized boolean hasPending() {
    return !items.isEmpty();
  }

  /** Takes the pending changes. */
  public synchronized Map<ServiceKey, Change<ServiceInfo>> checkout() {
    Map<ServiceKey, Change<ServiceInfo>> out = new LinkedHashMap<>(items);
    items.clear();
    return out;
  }
}
