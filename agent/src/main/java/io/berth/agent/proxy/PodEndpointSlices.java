package io.berth.agent.proxy;

import io.berth.netfilter.model.Addresses;
import io.berth.netfilter.model.IpFamily;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditionsBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The endpointslice controller's conversion for one Service, done on the node (standalone mode has
 * no controller): the pods its selector matches become endpoints, grouped into one slice per
 * address family and set of resolved ports.
 *
 * <p>As the controller ({@code pkg/controller/endpointslice}, {@code endpointslice/util}): pods in
 * a terminal phase or without an IP are left out; {@code ready} = the pod's Ready condition and not
 * terminating, {@code serving} = Ready regardless of termination, {@code terminating} = the pod is
 * being deleted; {@code publishNotReadyAddresses} makes every pod ready and serving. A named {@code
 * targetPort} is looked up among the pod's container ports with that name and protocol; a pod
 * lacking it is left out of that port (the controller's {@code FindPort} error). Slices carry
 * {@code kubernetes.io/service-name} and {@code endpointslice.kubernetes.io/managed-by}.
 */
public final class PodEndpointSlices {
  /** The managed-by label value of the slices berth makes. */
  public static final String MANAGED_BY = "berth.io/local-endpoints";

  static final String MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";

  private PodEndpointSlices() {}

  /** True when the Service has a non-empty selector (only those get slices from pods). */
  public static boolean selects(Service svc) {
    Map<String, String> sel = svc.getSpec() == null ? null : svc.getSpec().getSelector();
    return sel != null && !sel.isEmpty();
  }

  /**
   * The slices for {@code svc} (without trigger-time annotation), in a deterministic order and
   * content so that equal inputs give equal slices.
   *
   * @param terminating whether the pod with this UID is being deleted (berth's pod workers know
   *     this before the pod object says so)
   * @param nodeName the node the pods run on
   */
  public static List<EndpointSlice> build(
      Service svc, List<Pod> pods, Predicate<String> terminating, String nodeName) {
    if (!selects(svc)) {
      return List.of();
    }
    String ns = namespace(svc.getMetadata().getNamespace());
    String name = svc.getMetadata().getName();
    Map<String, String> selector = svc.getSpec().getSelector();
    boolean publishNotReady = Boolean.TRUE.equals(svc.getSpec().getPublishNotReadyAddresses());
    // (family, ports) -> endpoints, sorted for determinism
    Map<String, Group> groups = new TreeMap<>();
    for (Pod pod : pods) {
      if (!ns.equals(namespace(pod.getMetadata().getNamespace())) || !matches(selector, pod)) {
        continue;
      }
      String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
      if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
        continue;
      }
      boolean isTerminating =
          pod.getMetadata().getDeletionTimestamp() != null
              || terminating.test(pod.getMetadata().getUid());
      boolean podReady = isReady(pod);
      boolean ready = publishNotReady || (podReady && !isTerminating);
      boolean serving = publishNotReady || podReady;
      List<EndpointPort> ports = ports(svc, pod);
      for (IpFamily family : families(svc)) {
        Optional<String> ip = podIp(pod, family);
        if (ip.isEmpty()) {
          continue;
        }
        Endpoint ep =
            new EndpointBuilder()
                .withAddresses(ip.get())
                .withConditions(
                    new EndpointConditionsBuilder()
                        .withReady(ready)
                        .withServing(serving)
                        .withTerminating(isTerminating)
                        .build())
                .withNodeName(nodeName)
                .withTargetRef(
                    new ObjectReferenceBuilder()
                        .withKind("Pod")
                        .withNamespace(ns)
                        .withName(pod.getMetadata().getName())
                        .withUid(pod.getMetadata().getUid())
                        .build())
                .build();
        String key = family + " " + ports;
        groups.computeIfAbsent(key, k -> new Group(family, ports)).endpoints().add(ep);
      }
    }
    List<EndpointSlice> slices = new ArrayList<>();
    Map<IpFamily, Integer> perFamily = new LinkedHashMap<>();
    for (Group g : groups.values()) {
      int n = perFamily.merge(g.family(), 1, Integer::sum);
      String sliceName =
          name + "-berth-" + (g.family() == IpFamily.IPV4 ? "v4" : "v6") + (n > 1 ? "-" + n : "");
      g.endpoints().sort(Comparator.comparing(e -> e.getAddresses().getFirst()));
      slices.add(
          new EndpointSliceBuilder()
              .withApiVersion("discovery.k8s.io/v1")
              .withKind("EndpointSlice")
              .withNewMetadata()
              .withNamespace(ns)
              .withName(sliceName)
              .addToLabels(SliceInfo.SERVICE_NAME_LABEL, name)
              .addToLabels(MANAGED_BY_LABEL, MANAGED_BY)
              .endMetadata()
              .withAddressType(g.family() == IpFamily.IPV4 ? "IPv4" : "IPv6")
              .withEndpoints(g.endpoints())
              .withPorts(g.ports())
              .build());
    }
    return slices;
  }

  private record Group(IpFamily family, List<EndpointPort> ports, List<Endpoint> endpoints) {
    Group(IpFamily family, List<EndpointPort> ports) {
      this(family, ports, new ArrayList<>());
    }
  }

  private static String namespace(String ns) {
    return ns == null || ns.isEmpty() ? "default" : ns;
  }

  private static boolean matches(Map<String, String> selector, Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    if (labels == null) {
      return false;
    }
    return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }

  /** The pod's Ready condition is True. */
  static boolean isReady(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return false;
    }
    for (PodCondition c : pod.getStatus().getConditions()) {
      if ("Ready".equals(c.getType())) {
        return "True".equals(c.getStatus());
      }
    }
    return false;
  }

  /** The Service's families: {@code ipFamilies}, else the cluster IP's family, else IPv4. */
  private static List<IpFamily> families(Service svc) {
    List<String> fams = svc.getSpec().getIpFamilies();
    if (fams != null && !fams.isEmpty()) {
      return fams.stream().map(f -> "IPv6".equals(f) ? IpFamily.IPV6 : IpFamily.IPV4).toList();
    }
    String ip = svc.getSpec().getClusterIP();
    if (ip != null && !ip.isEmpty() && !"None".equals(ip)) {
      try {
        return List.of(IpFamily.of(Addresses.parse(ip)));
      } catch (IllegalArgumentException e) {
        // the converter rejects the Service; nothing to build
        return List.of();
      }
    }
    return List.of(IpFamily.IPV4);
  }

  private static Optional<String> podIp(Pod pod, IpFamily family) {
    if (pod.getStatus() == null) {
      return Optional.empty();
    }
    List<String> ips = new ArrayList<>();
    if (pod.getStatus().getPodIPs() != null) {
      pod.getStatus().getPodIPs().stream().map(PodIP::getIp).forEach(ips::add);
    }
    if (ips.isEmpty() && pod.getStatus().getPodIP() != null) {
      ips.add(pod.getStatus().getPodIP());
    }
    for (String ip : ips) {
      try {
        if (ip != null && !ip.isEmpty() && IpFamily.of(Addresses.parse(ip)) == family) {
          return Optional.of(ip);
        }
      } catch (IllegalArgumentException e) {
        // an unparseable pod IP is no endpoint
      }
    }
    return Optional.empty();
  }

  /** The Service's ports resolved against the pod; ports the pod cannot serve are left out. */
  private static List<EndpointPort> ports(Service svc, Pod pod) {
    List<EndpointPort> out = new ArrayList<>();
    for (var sp : ServiceConverter.nullSafe(svc.getSpec().getPorts())) {
      String protocol = sp.getProtocol() == null ? "TCP" : sp.getProtocol();
      Optional<Integer> target = targetPort(sp.getTargetPort(), sp.getPort(), protocol, pod);
      target.ifPresent(
          p ->
              out.add(
                  new EndpointPortBuilder()
                      .withName(sp.getName() == null ? "" : sp.getName())
                      .withProtocol(protocol)
                      .withPort(p)
                      .build()));
    }
    out.sort(Comparator.comparing(EndpointPort::getName));
    return out;
  }

  /** {@code podutil.FindPort}: a number as is, a name from the containers' ports. */
  static Optional<Integer> targetPort(
      IntOrString target, Integer servicePort, String protocol, Pod pod) {
    if (target == null || (target.getIntVal() == null && target.getStrVal() == null)) {
      return Optional.ofNullable(servicePort);
    }
    if (target.getIntVal() != null) {
      return Optional.of(target.getIntVal());
    }
    String name = target.getStrVal();
    if (pod.getSpec() == null || pod.getSpec().getContainers() == null) {
      return Optional.empty();
    }
    for (Container c : pod.getSpec().getContainers()) {
      for (ContainerPort p : ServiceConverter.nullSafe(c.getPorts())) {
        String proto = p.getProtocol() == null ? "TCP" : p.getProtocol();
        if (name.equals(p.getName()) && protocol.equals(proto)) {
          return Optional.ofNullable(p.getContainerPort());
        }
      }
    }
    return Optional.empty();
  }
}
