package io.berth.agent.proxy;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.List;

/** Test Services and EndpointSlices, built with fabric8's builders. */
final class TestObjects {
  private TestObjects() {}

  /** A ClusterIP Service {@code default/<name>} with one TCP port {@code http} 80. */
  static ServiceBuilder service(String name, String clusterIp) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withNamespace("default")
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withType("ClusterIP")
        .withClusterIP(clusterIp)
        .withClusterIPs(clusterIp)
        .addNewPort()
        .withName("http")
        .withProtocol("TCP")
        .withPort(80)
        .endPort()
        .endSpec();
  }

  static Service web() {
    return service("web", "10.96.0.10").build();
  }

  /** An IPv4 slice {@code <name>} of Service {@code default/<service>} with the given ports. */
  static EndpointSliceBuilder slice(String service, String name, EndpointPort... ports) {
    return new EndpointSliceBuilder()
        .withNewMetadata()
        .withNamespace("default")
        .withName(name)
        .addToLabels(SliceInfo.SERVICE_NAME_LABEL, service)
        .endMetadata()
        .withAddressType("IPv4")
        .withPorts(List.of(ports));
  }

  static EndpointPort port(String name, int port) {
    return new EndpointPortBuilder().withName(name).withProtocol("TCP").withPort(port).build();
  }

  static Endpoint ready(String ip, String node) {
    return new EndpointBuilder()
        .withAddresses(ip)
        .withNodeName(node)
        .withNewConditions()
        .withReady(true)
        .withServing(true)
        .withTerminating(false)
        .endConditions()
        .build();
  }

  static Endpoint conditions(String ip, Boolean ready, Boolean serving, Boolean terminating) {
    return new EndpointBuilder()
        .withAddresses(ip)
        .withNewConditions()
        .withReady(ready)
        .withServing(serving)
        .withTerminating(terminating)
        .endConditions()
        .build();
  }

  /** Slice {@code web-abc} of {@code default/web}: port http → 8080, the given endpoints. */
  static EndpointSlice webSlice(Endpoint... eps) {
    return slice("web", "web-abc", port("http", 8080)).withEndpoints(eps).build();
  }
}
