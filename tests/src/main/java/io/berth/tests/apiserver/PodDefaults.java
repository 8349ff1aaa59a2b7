package io.berth.tests.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The pod defaults of the real API server's defaulting functions that clients read back. */
final class PodDefaults {
  private PodDefaults() {}

  static void apply(ObjectNode pod) {
    ObjectNode spec = pod.with("spec");
    putIfAbsent(spec, "restartPolicy", "Always");
    putIfAbsent(spec, "dnsPolicy", "ClusterFirst");
    putIfAbsent(spec, "schedulerName", "default-scheduler");
    if (!spec.has("terminationGracePeriodSeconds")) {
      spec.put("terminationGracePeriodSeconds", 30);
    }
    if (!spec.has("enableServiceLinks")) {
      spec.put("enableServiceLinks", true);
    }
    if (!spec.has("securityContext")) {
      spec.putObject("securityContext");
    }
    for (JsonNode v : spec.path("volumes")) {
      // SetDefaults_{ConfigMap,Secret,DownwardAPI,Projected}VolumeSource: defaultMode 0644
      for (String source : new String[] {"configMap", "secret", "downwardAPI", "projected"}) {
        if (v.get(source) instanceof ObjectNode s && !s.has("defaultMode")) {
          s.put("defaultMode", 0644);
        }
      }
    }
    for (String list : new String[] {"initContainers", "containers"}) {
      for (JsonNode c : spec.path(list)) {
        if (c instanceof ObjectNode container) {
          containerDefaults(container);
          if (!container.has("resources")) {
            container.putObject("resources");
          }
          for (JsonNode port : container.path("ports")) {
            if (port instanceof ObjectNode p) {
              putIfAbsent(p, "protocol", "TCP");
            }
          }
        }
      }
    }
  }

  /** imagePullPolicy from the tag, terminationMessagePath and -Policy (ephemeral ones too). */
  static void containerDefaults(ObjectNode container) {
    String image = container.path("image").asText("");
    String tag = image.contains("@") ? "" : image.substring(image.lastIndexOf('/') + 1);
    boolean latest = !image.contains("@") && (!tag.contains(":") || tag.endsWith(":latest"));
    putIfAbsent(container, "imagePullPolicy", latest ? "Always" : "IfNotPresent");
    putIfAbsent(container, "terminationMessagePath", "/dev/termination-log");
    putIfAbsent(container, "terminationMessagePolicy", "File");
  }

  /** Guaranteed, Burstable or BestEffort from the containers' requests and limits. */
  static String qosClass(JsonNode spec) {
    boolean any = false;
    boolean guaranteed = true;
    for (String list : new String[] {"initContainers", "containers"}) {
      for (JsonNode c : spec.path(list)) {
        JsonNode requests = c.path("resources").path("requests");
        JsonNode limits = c.path("resources").path("limits");
        if (requests.size() > 0 || limits.size() > 0) {
          any = true;
        }
        for (String res : new String[] {"cpu", "memory"}) {
          JsonNode limit = limits.get(res);
          JsonNode request = requests.has(res) ? requests.get(res) : limit;
          if (limit == null || !limit.equals(request)) {
            guaranteed = false;
          }
        }
      }
    }
    if (!any) {
      return "BestEffort";
    }
    return guaranteed ? "Guaranteed" : "Burstable";
  }

  private static void putIfAbsent(ObjectNode node, String field, String value) {
    if (!node.has(field)) {
      node.put(field, value);
    }
  }
}
