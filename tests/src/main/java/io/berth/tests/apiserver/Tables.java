package io.berth.tests.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Server-side printing: the {@code meta.k8s.io/v1 Table} answer to {@code Accept:
 * application/json;as=Table}, with the kubectl columns of pods, nodes, services, namespaces,
 * configmaps and events (priority 1 columns are the {@code -o wide} ones) and Name/Age for the
 * rest.
 */
final class Tables {
  private record Column(String name, String type, int priority) {}

  private final Clock clock;

  Tables(Clock clock) {
    this.clock = clock;
  }

  ObjectNode table(
      ApiResource r,
      List<ObjectNode> items,
      String resourceVersion,
      String continueToken,
      String includeObject) {
    ObjectNode table = Json.object();
    table.put("kind", "Table");
    table.put("apiVersion", "meta.k8s.io/v1");
    ObjectNode meta = table.putObject("metadata");
    meta.put("resourceVersion", resourceVersion);
    if (continueToken != null) {
      meta.put("continue", continueToken);
    }
    ArrayNode columns = table.putArray("columnDefinitions");
    for (Column c : columns(r)) {
      ObjectNode col = columns.addObject();
      col.put("name", c.name());
      col.put("type", c.type());
      col.put("format", c.name().equals("Name") ? "name" : "");
      col.put("description", c.name());
      col.put("priority", c.priority());
    }
    ArrayNode rows = table.putArray("rows");
    for (ObjectNode item : items) {
      ObjectNode row = rows.addObject();
      ArrayNode cells = row.putArray("cells");
      for (Object cell : cells(r, item)) {
        if (cell instanceof Integer i) {
          cells.add(i);
        } else {
          cells.add(cell.toString());
        }
      }
      switch (includeObject == null ? "Metadata" : includeObject) {
        case "None" -> {}
        case "Object" -> row.set("object", item);
        default -> {
          ObjectNode partial = row.putObject("object");
          partial.put("kind", "PartialObjectMetadata");
          partial.put("apiVersion", "meta.k8s.io/v1");
          partial.set("metadata", item.get("metadata"));
        }
      }
    }
    return table;
  }

  private static List<Column> columns(ApiResource r) {
    return switch (r.resource()) {
      case "pods" ->
          List.of(
              new Column("Name", "string", 0),
              new Column("Ready", "string", 0),
              new Column("Status", "string", 0),
              new Column("Restarts", "string", 0),
              new Column("Age", "string", 0),
              new Column("IP", "string", 1),
              new Column("Node", "string", 1),
              new Column("Nominated Node", "string", 1),
              new Column("Readiness Gates", "string", 1));
      case "nodes" ->
          List.of(
              new Column("Name", "string", 0), new Column("Status", "string", 0),
              new Column("Roles", "string", 0), new Column("Age", "string", 0),
              new Column("Version", "string", 0), new Column("Internal-IP", "string", 1),
              new Column("External-IP", "string", 1), new Column("OS-Image", "string", 1),
              new Column("Kernel-Version", "string", 1),
                  new Column("Container-Runtime", "string", 1));
      case "services" ->
          List.of(
              new Column("Name", "string", 0),
              new Column("Type", "string", 0),
              new Column("Cluster-IP", "string", 0),
              new Column("External-IP", "string", 0),
              new Column("Port(s)", "string", 0),
              new Column("Age", "string", 0),
              new Column("Selector", "string", 1));
      case "namespaces" ->
          List.of(
              new Column("Name", "string", 0),
              new Column("Status", "string", 0),
              new Column("Age", "string", 0));
      case "configmaps" ->
          List.of(
              new Column("Name", "string", 0),
              new Column("Data", "integer", 0),
              new Column("Age", "string", 0));
      case "events" ->
          List.of(
              new Column("Last Seen", "string", 0),
              new Column("Type", "string", 0),
              new Column("Reason", "string", 0),
              new Column("Object", "string", 0),
              new Column("Subobject", "string", 1),
              new Column("Source", "string", 1),
              new Column("Message", "string", 0),
              new Column("First Seen", "string", 1),
              new Column("Count", "integer", 1),
              new Column("Name", "string", 1));
      default -> List.of(new Column("Name", "string", 0), new Column("Age", "string", 0));
    };
  }

  private List<Object> cells(ApiResource r, ObjectNode o) {
    JsonNode meta = o.path("metadata");
    String name = meta.path("name").asText();
    String age = age(meta.path("creationTimestamp").asText(""));
    JsonNode spec = o.path("spec");
    JsonNode status = o.path("status");
    return switch (r.resource()) {
      case "pods" -> {
        int ready = 0;
        int restarts = 0;
        for (JsonNode cs : status.path("containerStatuses")) {
          ready += cs.path("ready").asBoolean() ? 1 : 0;
          restarts += cs.path("restartCount").asInt();
        }
        String ip = status.path("podIP").asText("");
        yield List.of(
            name,
            ready + "/" + spec.path("containers").size(),
            podStatus(o),
            Integer.toString(restarts),
            age,
            ip.isEmpty() ? "<none>" : ip,
            orNone(spec.path("nodeName").asText("")),
            orNone(status.path("nominatedNodeName").asText("")),
            "<none>");
      }
      case "nodes" -> {
        String ready = "Unknown";
        for (JsonNode c : status.path("conditions")) {
          if (c.path("type").asText().equals("Ready")) {
            ready = c.path("status").asText().equals("True") ? "Ready" : "NotReady";
          }
        }
        if (spec.path("unschedulable").asBoolean()) {
          ready += ",SchedulingDisabled";
        }
        List<String> roles = new ArrayList<>();
        meta.path("labels")
            .fieldNames()
            .forEachRemaining(
                l -> {
                  if (l.startsWith("node-role.kubernetes.io/")) {
                    roles.add(l.substring("node-role.kubernetes.io/".length()));
                  }
                });
        String internal = "<none>";
        String external = "<none>";
        for (JsonNode a : status.path("addresses")) {
          if (a.path("type").asText().equals("InternalIP")) {
            internal = a.path("address").asText();
          } else if (a.path("type").asText().equals("ExternalIP")) {
            external = a.path("address").asText();
          }
        }
        JsonNode info = status.path("nodeInfo");
        yield List.of(
            name,
            ready,
            roles.isEmpty() ? "<none>" : String.join(",", roles),
            age,
            info.path("kubeletVersion").asText(""),
            internal,
            external,
            orUnknown(info.path("osImage").asText("")),
            orUnknown(info.path("kernelVersion").asText("")),
            orUnknown(info.path("containerRuntimeVersion").asText("")));
      }
      case "services" -> {
        List<String> ports = new ArrayList<>();
        for (JsonNode p : spec.path("ports")) {
          ports.add(
              p.path("port").asText()
                  + (p.has("nodePort") ? ":" + p.path("nodePort").asText() : "")
                  + "/"
                  + p.path("protocol").asText("TCP"));
        }
        List<String> selector = new ArrayList<>();
        spec.path("selector")
            .fields()
            .forEachRemaining(e -> selector.add(e.getKey() + "=" + e.getValue().asText()));
        yield List.of(
            name,
            spec.path("type").asText("ClusterIP"),
            orNone(spec.path("clusterIP").asText("")),
            "<none>",
            ports.isEmpty() ? "<none>" : String.join(",", ports),
            age,
            selector.isEmpty() ? "<none>" : String.join(",", selector));
      }
      case "namespaces" -> List.of(name, status.path("phase").asText(""), age);
      case "configmaps" -> List.of(name, o.path("data").size() + o.path("binaryData").size(), age);
      case "events" -> {
        JsonNode ref = o.path("involvedObject");
        String component = o.path("source").path("component").asText("");
        String host = o.path("source").path("host").asText("");
        component = component.isEmpty() ? o.path("reportingComponent").asText("") : component;
        host = host.isEmpty() ? o.path("reportingInstance").asText("") : host;
        yield List.of(
            age(o.path("lastTimestamp").asText(o.path("eventTime").asText(""))),
            o.path("type").asText(""),
            o.path("reason").asText(""),
            ref.path("kind").asText("").toLowerCase(java.util.Locale.ROOT)
                + "/"
                + ref.path("name").asText(""),
            ref.path("fieldPath").asText(""),
            host.isEmpty() ? component : component + ", " + host,
            o.path("message").asText("").strip(),
            age(o.path("firstTimestamp").asText(o.path("eventTime").asText(""))),
            o.path("count").asInt(),
            name);
      }
      default -> List.of(name, age);
    };
  }

  /** The STATUS column: the kubelet-visible reason, as kubectl's pod printer computes it. */
  static String podStatus(JsonNode pod) {
    JsonNode status = pod.path("status");
    String reason = status.path("reason").asText(status.path("phase").asText("Unknown"));
    JsonNode inits = status.path("initContainerStatuses");
    int initCount = pod.path("spec").path("initContainers").size();
    for (int i = 0; i < inits.size(); i++) {
      JsonNode state = inits.get(i).path("state");
      if (state.has("terminated") && state.path("terminated").path("exitCode").asInt() == 0) {
        continue;
      }
      if (state.has("running")
          && pod.path("spec")
              .path("initContainers")
              .path(i)
              .path("restartPolicy")
              .asText("")
              .equals("Always")) {
        continue;
      }
      if (state.has("terminated")) {
        reason = "Init:" + state.path("terminated").path("reason").asText("Error");
      } else if (state.has("waiting")
          && !state
              .path("waiting")
              .path("reason")
              .asText("PodInitializing")
              .equals("PodInitializing")) {
        reason = "Init:" + state.path("waiting").path("reason").asText();
      } else {
        reason = "Init:" + i + "/" + initCount;
      }
      return pod.path("metadata").has("deletionTimestamp") ? "Terminating" : reason;
    }
    boolean running = false;
    for (JsonNode cs : status.path("containerStatuses")) {
      JsonNode state = cs.path("state");
      if (state.has("waiting") && state.path("waiting").has("reason")) {
        reason = state.path("waiting").path("reason").asText();
      } else if (state.has("terminated") && state.path("terminated").has("reason")) {
        reason = state.path("terminated").path("reason").asText();
      } else if (state.has("running") && cs.path("ready").asBoolean()) {
        running = true;
      }
    }
    if (running && reason.equals("Completed")) {
      reason = "Running";
    }
    if (pod.path("metadata").has("deletionTimestamp")) {
      reason = "Terminating";
    }
    return reason;
  }

  private String age(String created) {
    if (created.isEmpty()) {
      return "<unknown>";
    }
    Duration d = Duration.between(Instant.parse(created), clock.instant());
    long s = Math.max(0, d.getSeconds());
    if (s < 120) {
      return s + "s";
    }
    if (s < 600) {
      return s / 60 + "m" + (s % 60 == 0 ? "" : s % 60 + "s");
    }
    if (s < 3 * 3600) {
      return s / 60 + "m";
    }
    if (s < 48 * 3600) {
      return s / 3600 + "h";
    }
    return s / 86400 + "d";
  }

  private static String orNone(String s) {
    return s.isEmpty() ? "<none>" : s;
  }

  private static String orUnknown(String s) {
    return s.isEmpty() ? "<unknown>" : s;
  }
}
