package io.berth.agent.proxy;

import io.berth.netfilter.model.ServicePort;
import java.util.List;
import java.util.Objects;

/**
 * What the proxier keeps of one Service: its service ports, one per (port, IP family), with
 * frontends and policies set and no endpoints yet ({@link Proxier} adds them from the slices).
 */
public record ServiceInfo(ServiceKey key, List<ServicePort> ports) {
  public ServiceInfo {
    Objects.requireNonNull(key, "key");
    ports = List.copyOf(ports);
  }
}
