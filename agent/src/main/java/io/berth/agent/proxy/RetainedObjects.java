package io.berth.agent.proxy;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.List;
import java.util.Map;

/**
 * Shrinks the Services and EndpointSlices a source keeps for as long as they are in force, without
 * changing what they say ({@code equals} and the JSON form stay the same).
 *
 * <p>Every fabric8 model object carries its own empty {@code LinkedHashMap} for unknown fields (64
 * bytes each), and Jackson gives every list a 10-slot {@code ArrayList}; at 10k Services × 10
 * endpoints that was 27 MB of empty maps and about 6 MB of list slack in a 161 MB live heap. Empty
 * maps become the shared {@link Map#of()}, lists become immutable copies of their exact size.
 *
 * <p>Only for objects that are read from then on: a compacted object refuses {@code
 * setAdditionalProperty} and list mutation.
 */
final class RetainedObjects {
  private RetainedObjects() {}

  static EndpointSlice compact(EndpointSlice s) {
    if (s.getAdditionalProperties().isEmpty()) {
      s.setAdditionalProperties(Map.of());
    }
    compact(s.getMetadata());
    if (s.getPorts() != null) {
      for (EndpointPort p : s.getPorts()) {
        if (p.getAdditionalProperties().isEmpty()) {
          p.setAdditionalProperties(Map.of());
        }
      }
      s.setPorts(List.copyOf(s.getPorts()));
    }
    if (s.getEndpoints() != null) {
      for (Endpoint e : s.getEndpoints()) {
        compact(e);
      }
      s.setEndpoints(List.copyOf(s.getEndpoints()));
    }
    return s;
  }

  static Service compact(Service s) {
    if (s.getAdditionalProperties().isEmpty()) {
      s.setAdditionalProperties(Map.of());
    }
    compact(s.getMetadata());
    if (s.getSpec() != null) {
      if (s.getSpec().getAdditionalProperties().isEmpty()) {
        s.getSpec().setAdditionalProperties(Map.of());
      }
      if (s.getSpec().getPorts() != null) {
        for (ServicePort p : s.getSpec().getPorts()) {
          if (p.getAdditionalProperties().isEmpty()) {
            p.setAdditionalProperties(Map.of());
          }
        }
      }
    }
    return s;
  }

  private static void compact(Endpoint e) {
    if (e.getAdditionalProperties().isEmpty()) {
      e.setAdditionalProperties(Map.of());
    }
    if (e.getAddresses() != null) {
      e.setAddresses(List.copyOf(e.getAddresses()));
    }
    EndpointConditions c = e.getConditions();
    if (c != null && c.getAdditionalProperties().isEmpty()) {
      c.setAdditionalProperties(Map.of());
    }
  }

  private static void compact(ObjectMeta m) {
    if (m != null && m.getAdditionalProperties().isEmpty()) {
      m.setAdditionalProperties(Map.of());
    }
  }
}
