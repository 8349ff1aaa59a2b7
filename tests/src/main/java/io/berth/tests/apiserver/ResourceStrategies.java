package io.berth.tests.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What the real API server's per-resource strategies do that clients observe: defaults and initial
 * status on create (pods: phase Pending, qosClass; namespaces: phase Active; services: a clusterIP
 * from the service CIDR), validation of the fields berth relies on, and each resource's graceful
 * deletion period.
 */
final class ResourceStrategies {
  private final ServiceIpAllocator serviceIps;

  ResourceStrategies(ServiceIpAllocator serviceIps) {
    this.serviceIps = serviceIps;
  }

  void prepareForCreate(ApiResource r, ObjectNode obj) {
    if (r.equals(ApiResources.PODS)) {
      obj.remove("status");
      PodDefaults.apply(obj);
      String name = obj.path("metadata").path("name").asText();
      if (!(obj.path("spec").path("containers") instanceof ArrayNode c) || c.isEmpty()) {
        throw ApiError.invalid(r, name, "spec.containers: Required value");
      }
      for (JsonNode container : c) {
        if (container.path("image").asText("").isEmpty()) {
          throw ApiError.invalid(
              r,
              name,
              "spec.containers["
                  + container.path("name").asText()
                  + "].image: Required"
                  + " value");
        }
      }
      ObjectNode status = obj.putObject("status");
      status.put("phase", "Pending");
      status.put("qosClass", PodDefaults.qosClass(obj.path("spec")));
    } else if (r.equals(ApiResources.NAMESPACES)) {
      obj.with("metadata")
          .with("labels")
          .put("kubernetes.io/metadata.name", obj.path("metadata").path("name").asText());
      obj.with("spec").putArray("finalizers").add("kubernetes");
      obj.putObject("status").put("phase", "Active");
    } else if (r.equals(ApiResources.SERVICES)) {
      obj.remove("status");
      serviceIps.allocate(obj);
      obj.putObject("status").putObject("loadBalancer");
    } else if (r.equals(ApiResources.NODES)) {
      if (!obj.has("status")) {
        obj.putObject("status");
      }
    }
  }

  void prepareForUpdate(ApiResource r, ObjectNode updated, ObjectNode old) {
    if (r.equals(ApiResources.SERVICES)) {
      ObjectNode spec = updated.with("spec");
      JsonNode oldSpec = old.path("spec");
      if (!spec.has("clusterIP") || spec.path("clusterIP").asText("").isEmpty()) {
        spec.set("clusterIP", oldSpec.get("clusterIP"));
        spec.set("clusterIPs", oldSpec.get("clusterIPs"));
      } else if (!spec.path("clusterIP").equals(oldSpec.path("clusterIP"))) {
        throw ApiError.invalid(
            r,
            updated.path("metadata").path("name").asText(),
            "spec.clusterIPs[0]: Invalid value: field is immutable");
      }
    } else if (r.equals(ApiResources.PODS)) {
      PodDefaults.apply(updated);
      if (!mutableView(updated.path("spec")).equals(mutableView(old.path("spec")))) {
        throw ApiError.invalid(
            r,
            updated.path("metadata").path("name").asText(),
            "spec: Forbidden: pod updates may not change fields other than"
                + " `spec.containers[*].image`, `spec.initContainers[*].image`,"
                + " `spec.activeDeadlineSeconds`, `spec.tolerations` (only additions to existing"
                + " tolerations), `spec.terminationGracePeriodSeconds` (allow it to be set to 1 if"
                + " it was previously negative)");
      }
    }
  }

  /** A pod spec without the fields an update may change (images, deadline, tolerations). */
  private static JsonNode mutableView(JsonNode spec) {
    ObjectNode copy = spec.isObject() ? ((ObjectNode) spec).deepCopy() : Json.object();
    copy.remove(
        java.util.List.of("activeDeadlineSeconds", "tolerations", "terminationGracePeriodSeconds"));
    for (String list : new String[] {"containers", "initContainers"}) {
      for (JsonNode c : copy.path(list)) {
        if (c instanceof ObjectNode container) {
          container.remove("image");
        }
      }
    }
    return copy;
  }

  /** The grace period a DELETE gets: pods on a node wait (the kubelet finishes), others none. */
  long gracePeriod(ApiResource r, ObjectNode obj, Long requested) {
    if (!r.equals(ApiResources.PODS)) {
      return 0;
    }
    JsonNode spec = obj.path("spec");
    String phase = obj.path("status").path("phase").asText("");
    if (spec.path("nodeName").asText("").isEmpty()
        || phase.equals("Succeeded")
        || phase.equals("Failed")) {
      return 0;
    }
    long grace =
        requested != null ? requested : spec.path("terminationGracePeriodSeconds").asLong(30);
    return Math.max(grace, 0);
  }

  void afterDelete(ApiResource r, ObjectNode last) {
    if (r.equals(ApiResources.SERVICES) && last != null) {
      serviceIps.release(last);
    }
  }
}
