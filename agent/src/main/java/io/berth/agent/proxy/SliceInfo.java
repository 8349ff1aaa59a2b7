package io.berth.agent.proxy;

import io.berth.netfilter.model.Addresses;
import io.berth.netfilter.model.Endpoint;
import io.berth.netfilter.model.IpFamily;
import io.berth.netfilter.model.Protocol;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.net.InetAddress;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the proxier keeps of one EndpointSlice (kube-proxy's {@code endpointSliceInfo}): its ports
 * by name and protocol and its endpoints' first address with conditions.
 *
 * @param ports the slice's ports that carry a number
 * @param endpoints endpoints with at least one address of the slice's family
 */
public record SliceInfo(
    ServiceKey service, String sliceName, List<PortInfo> ports, List<EndpointInfo> endpoints) {

  /** The label naming the Service a slice belongs to. */
  public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  /** When the change that produced this slice version happened (network programming latency). */
  public static final String TRIGGER_TIME_ANNOTATION =
      "endpoints.kubernetes.io/last-change-trigger-time";

  /** A slice port; {@code name} is matched against the service port's name. */
  public record PortInfo(String name, Protocol protocol, int port) {}

  /** One endpoint: its first address, the conditions kube-proxy reads and its zone hints. */
  public record EndpointInfo(
      InetAddress address,
      boolean ready,
      boolean serving,
      boolean terminating,
      boolean local,
      java.util.Set<String> zoneHints) {
    public EndpointInfo {
      zoneHints = java.util.Set.copyOf(zoneHints);
    }

    Endpoint at(int port) {
      return new Endpoint(address, port, ready, serving, terminating, local, zoneHints);
    }
  }

  public SliceInfo {
    ports = List.copyOf(ports);
    endpoints = List.copyOf(endpoints);
  }

  /** The Service a slice belongs to, or empty when it has no service-name label. */
  static Optional<ServiceKey> serviceOf(EndpointSlice slice) {
    Map<String, String> labels = slice.getMetadata().getLabels();
    String svc = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
    if (svc == null || svc.isEmpty()) {
      return Optional.empty();
    }
    ServiceKey sliceKey = ServiceKey.of(slice.getMetadata());
    return Optional.of(new ServiceKey(sliceKey.namespace(), svc));
  }

  /**
   * Converts a slice. Empty for slices kube-proxy ignores: FQDN address type, no service-name
   * label, the headless label. Endpoints are local when their {@code nodeName} is {@code node}.
   */
  static Optional<SliceInfo> from(EndpointSlice slice, String node) {
    String type = slice.getAddressType();
    Optional<ServiceKey> service = serviceOf(slice);
    Map<String, String> labels = slice.getMetadata().getLabels();
    if (service.isEmpty()
        || labels.containsKey(ServiceConverter.HEADLESS_LABEL)
        || !("IPv4".equals(type) || "IPv6".equals(type))) {
      return Optional.empty();
    }
    String name = slice.getMetadata().getName();
    IpFamily family = "IPv4".equals(type) ? IpFamily.IPV4 : IpFamily.IPV6;
    try {
      List<PortInfo> ports = new ArrayList<>();
      for (EndpointPort p : ServiceConverter.nullSafe(slice.getPorts())) {
        if (p.getPort() != null) { // a nil port means "all ports": kube-proxy skips it
          ports.add(
              new PortInfo(
                  p.getName() == null ? "" : p.getName(),
                  ServiceConverter.protocol(p.getProtocol()),
                  p.getPort()));
        }
      }
      List<EndpointInfo> eps = new ArrayList<>();
      for (var e : ServiceConverter.nullSafe(slice.getEndpoints())) {
        List<String> addrs = ServiceConverter.nullSafe(e.getAddresses());
        if (addrs.isEmpty()) {
          continue;
        }
        InetAddress a = Addresses.parse(addrs.getFirst()); // kube-proxy uses Addresses[0]
        if (IpFamily.of(a) != family) {
          continue;
        }
        EndpointConditions c = e.getConditions();
        boolean ready = c == null || c.getReady() == null || c.getReady();
        // kube-proxy reads a missing serving condition as true (not as "same as ready").
        boolean serving = c == null || c.getServing() == null || c.getServing();
        boolean terminating = c != null && Boolean.TRUE.equals(c.getTerminating());
        java.util.Set<String> zones = new java.util.TreeSet<>();
        if (e.getHints() != null) {
          for (var z : ServiceConverter.nullSafe(e.getHints().getForZones())) {
            if (z.getName() != null && !z.getName().isEmpty()) {
              zones.add(z.getName());
            }
          }
        }
        eps.add(
            new EndpointInfo(a, ready, serving, terminating, node.equals(e.getNodeName()), zones));
      }
      return Optional.of(new SliceInfo(service.get(), name, ports, eps));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "endpointslice " + service.get().namespace() + "/" + name + ": " + e.getMessage(), e);
    }
  }

  /** The slice's trigger-time annotation, if present and parseable. */
  static Optional<Instant> triggerTime(EndpointSlice slice) {
    Map<String, String> ann = slice.getMetadata().getAnnotations();
    String t = ann == null ? null : ann.get(TRIGGER_TIME_ANNOTATION);
    if (t == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(t));
    } catch (DateTimeParseException e) {
      return Optional.empty(); // kube-proxy ignores an unparseable annotation too
    }
  }
}
