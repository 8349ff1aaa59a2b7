package io.berth.agent.proxy;

import io.berth.netfilter.model.ServicePort;
import java.util.List;
import java.util.Objects;

/**
 * What the proxier keeps of one Service: its service ports, one per (port, IP family), with
 * frontends and policies set and no endpoints yet ({@link Proxier} adds them from the slices), and
 * the {@code healthCheckNodePort} berth serves for it (0: none; only LoadBalancer Services with
 * {@code externalTrafficPolicy: Local} have one, as in kube-proxy).
 */
public record ServiceInfo(ServiceKey key, List<ServicePort> ports, int healthCheckNodePort) {
  public ServiceInfo {
    Objects.requireNonNull(key, "key");
    ports = List.copyOf(ports);
  }

  /** A Service without a health check node port. */
  public ServiceInfo(ServiceKey key, List<ServicePort> ports) {
    this(key, ports, 0);
  }
}
