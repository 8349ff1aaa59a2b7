package io.berth.agent.proxy;

import io.berth.netfilter.model.Endpoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * All EndpointSlices by Service, as kube-proxy's {@code EndpointSliceCache}: per Service the slices
 * applied at the last sync and the pending ones since (a pending empty = slice deleted). Merging
 * walks slices in name order and keeps one endpoint per (address, port), preferring a local one.
 *
 * <p>Not thread-safe; {@link EndpointsChangeTracker} serializes access.
 */
final class EndpointSliceCache {
  private record Tracker(
      Map<String, SliceInfo> applied, Map<String, Optional<SliceInfo>> pending) {}

  private final Map<ServiceKey, Tracker> trackers = new HashMap<>();

  /** Records a slice version (or its removal); true when it differs from what is known. */
  boolean updatePending(ServiceKey service, String sliceName, Optional<SliceInfo> info) {
    Tracker t =
        trackers.computeIfAbsent(service, k -> new Tracker(new TreeMap<>(), new TreeMap<>()));
    Optional<SliceInfo> known =
        t.pending().containsKey(sliceName)
            ? t.pending().get(sliceName)
            : Optional.ofNullable(t.applied().get(sliceName));
    if (known.equals(info)) {
      return false;
    }
    if (info.equals(Optional.ofNullable(t.applied().get(sliceName)))) {
      t.pending().remove(sliceName); // back to the applied version
    } else {
      t.pending().put(sliceName, info);
    }
    return true;
  }

  /** Whether any Service has a pending slice change. */
  boolean hasPending() {
    return trackers.values().stream().anyMatch(t -> !t.pending().isEmpty());
  }

  /**
   * Moves pending slices into the applied ones and returns, for each Service whose merged endpoints
   * changed, its endpoints before and after (empty when it has none).
   */
  Map<ServiceKey, Change<ServiceEndpoints>> checkoutChanges() {
    Map<ServiceKey, Change<ServiceEndpoints>> out = new LinkedHashMap<>();
    for (var it = trackers.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      Tracker t = e.getValue();
      if (t.pending().isEmpty()) {
        continue;
      }
      Optional<ServiceEndpoints> before = merge(t.applied());
      t.pending()
          .forEach(
              (name, info) ->
                  info.ifPresentOrElse(
                      i -> t.applied().put(name, i), () -> t.applied().remove(name)));
      t.pending().clear();
      Optional<ServiceEndpoints> after = merge(t.applied());
      Change<ServiceEndpoints> c = new Change<>(before, after);
      if (!c.isNoop()) {
        out.put(e.getKey(), c);
      }
      if (t.applied().isEmpty()) {
        it.remove();
      }
    }
    return out;
  }

  /** The merged endpoints of one Service as applied (for tests and diagnostics). */
  Optional<ServiceEndpoints> applied(ServiceKey service) {
    Tracker t = trackers.get(service);
    return t == null ? Optional.empty() : merge(t.applied());
  }

  static Optional<ServiceEndpoints> merge(Map<String, SliceInfo> slicesByName) {
    if (slicesByName.isEmpty()) {
      return Optional.empty();
    }
    Map<ServiceEndpoints.PortRef, Map<String, Endpoint>> byPort = new TreeMap<>();
    for (SliceInfo s : new TreeMap<>(slicesByName).values()) {
      for (SliceInfo.PortInfo p : s.ports()) {
        Map<String, Endpoint> set =
            byPort.computeIfAbsent(
                new ServiceEndpoints.PortRef(p.name(), p.protocol()), k -> new LinkedHashMap<>());
        for (SliceInfo.EndpointInfo ei : s.endpoints()) {
          Endpoint ep = ei.at(p.port());
          String id = ep.address().getHostAddress() + "#" + ep.port();
          // kube-proxy: "isLocal should not vary between matching endpoints, but if it does, we
          // favor a true value here if it exists".
          if (!set.containsKey(id) || ep.local()) {
            set.put(id, ep);
          }
        }
      }
    }
    Map<ServiceEndpoints.PortRef, List<Endpoint>> out = new TreeMap<>();
    byPort.forEach(
        (k, v) -> {
          List<Endpoint> eps = new ArrayList<>(v.values());
          eps.sort(null);
          out.put(k, List.copyOf(eps));
        });
    return Optional.of(new ServiceEndpoints(out));
  }
}
