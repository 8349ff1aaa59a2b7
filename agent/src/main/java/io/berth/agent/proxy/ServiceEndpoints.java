package io.berth.agent.proxy;

import io.berth.netfilter.model.Endpoint;
import io.berth.netfilter.model.Protocol;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Service's endpoints merged from all its slices, by slice port (name + protocol); each list is
 * deduplicated by address and port and sorted.
 */
public record ServiceEndpoints(Map<PortRef, List<Endpoint>> byPort) {

  /** A port as slices name it; matched against a service port's name and protocol. */
  public record PortRef(String name, Protocol protocol) implements Comparable<PortRef> {
    @Override
    public int compareTo(PortRef o) {
      int c = name.compareTo(o.name);
      return c != 0 ? c : protocol.compareTo(o.protocol);
    }
  }

  public ServiceEndpoints {
    byPort = java.util.Collections.unmodifiableMap(new TreeMap<>(byPort));
  }

  public static final ServiceEndpoints EMPTY = new ServiceEndpoints(Map.of());

  public List<Endpoint> get(String portName, Protocol protocol) {
    return byPort.getOrDefault(new PortRef(portName, protocol), List.of());
  }

  public boolean isEmpty() {
    return byPort.isEmpty();
  }

  public int endpointCount() {
    return byPort.values().stream().mapToInt(List::size).sum();
  }
}
