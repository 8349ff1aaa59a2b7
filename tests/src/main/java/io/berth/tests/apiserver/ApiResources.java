package io.berth.tests.apiserver;

import java.util.List;
import java.util.Optional;

/** The built-in resources the test API server serves (a subset of a real cluster's). */
public final class ApiResources {
  public static final ApiResource PODS =
      new ApiResource(
          "",
          "v1",
          "pods",
          "Pod",
          true,
          List.of("po"),
          true,
          List.of(
              "spec.nodeName",
              "spec.restartPolicy",
              "spec.schedulerName",
              "spec.serviceAccountName",
              "spec.hostNetwork",
              "status.phase",
              "status.podIP",
              "status.nominatedNodeName"));
  public static final ApiResource NODES =
      new ApiResource(
          "", "v1", "nodes", "Node", false, List.of("no"), true, List.of("spec.unschedulable"));
  public static final ApiResource SERVICES =
      new ApiResource("", "v1", "services", "Service", true, List.of("svc"), true, List.of());
  public static final ApiResource CONFIGMAPS =
      new ApiResource("", "v1", "configmaps", "ConfigMap", true, List.of("cm"), false, List.of());
  public static final ApiResource SECRETS =
      new ApiResource("", "v1", "secrets", "Secret", true, List.of(), false, List.of("type"));
  public static final ApiResource NAMESPACES =
      new ApiResource(
          "", "v1", "namespaces", "Namespace", false, List.of("ns"), true, List.of("status.phase"));
  public static final ApiResource EVENTS =
      new ApiResource(
          "",
          "v1",
          "events",
          "Event",
          true,
          List.of("ev"),
          false,
          List.of(
              "involvedObject.kind",
              "involvedObject.namespace",
              "involvedObject.name",
              "involvedObject.uid",
              "involvedObject.apiVersion",
              "involvedObject.resourceVersion",
              "involvedObject.fieldPath",
              "reason",
              "reportingComponent",
              "source",
              "type"));
  public static final ApiResource LEASES =
      new ApiResource(
          "coordination.k8s.io", "v1", "leases", "Lease", true, List.of(), false, List.of());
  public static final ApiResource ENDPOINT_SLICES =
      new ApiResource(
          "discovery.k8s.io",
          "v1",
          "endpointslices",
          "EndpointSlice",
          true,
          List.of(),
          false,
          List.of("addressType"));

  public static final List<ApiResource> ALL =
      List.of(
          PODS, NODES, SERVICES, CONFIGMAPS, SECRETS, NAMESPACES, EVENTS, LEASES, ENDPOINT_SLICES);

  private ApiResources() {}

  /** The resource served at {@code group/version/resource}, if any. */
  public static Optional<ApiResource> find(String group, String version, String resource) {
    return ALL.stream()
        .filter(
            r ->
                r.group().equals(group)
                    && r.version().equals(version)
                    && r.resource().equals(resource))
        .findFirst();
  }

  /** The group versions served, in discovery order (core first). */
  static List<String> groupVersions() {
    return ALL.stream().map(ApiResource::apiVersion).distinct().toList();
  }
}
