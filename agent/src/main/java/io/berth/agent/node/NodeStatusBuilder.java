package io.berth.agent.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * Builds the Node object berth registers and the status it reports, as the kubelet's {@code
 * setNodeStatus} functions do: addresses, capacity/allocatable, nodeInfo, and the Ready,
 * MemoryPressure, DiskPressure and PIDPressure conditions (a condition keeps its lastTransitionTime
 * while its status does not change). Pure: everything comes in as arguments.
 */
public final class NodeStatusBuilder {
  /** What changes between reports. */
  public record Observed(
      long cpuMillis,
      long memoryBytes,
      int maxPods,
      long ephemeralStorageBytes,
      boolean memoryPressure,
      boolean diskPressure,
      boolean pidPressure,
      boolean runtimeReady,
      String runtimeVersion,
      boolean shuttingDown) {
    /** Ready as the kubelet judges it: the runtime answers and the node is not shutting down. */
    public boolean ready() {
      return runtimeReady && !shuttingDown;
    }

    /**
     * The Ready condition's message when not ready: the kubelet's errors, one alone as it is,
     * several as Go's aggregate error ({@code [a, b]}).
     */
    String notReadyMessage() {
      java.util.List<String> errors = new java.util.ArrayList<>();
      if (!runtimeReady) {
        errors.add("container runtime is down");
      }
      if (shuttingDown) {
        errors.add(io.berth.agent.shutdown.NodeShutdownManager.NODE_NOT_READY_MESSAGE);
      }
      return errors.size() == 1 ? errors.getFirst() : "[" + String.join(", ", errors) + "]";
    }
  }

  private final ObjectMapper json;
  private final String nodeName;
  private final NodeFacts facts;
  private final String berthVersion;
  private final int daemonPort;
  private final NodeRegistration registration;

  /** Registers with the kubelet's defaults: no taints, no extra labels, no reservations. */
  public NodeStatusBuilder(
      ObjectMapper json, String nodeName, NodeFacts facts, String berthVersion, int daemonPort) {
    this(json, nodeName, facts, berthVersion, daemonPort, NodeRegistration.defaults());
  }

  public NodeStatusBuilder(
      ObjectMapper json,
      String nodeName,
      NodeFacts facts,
      String berthVersion,
      int daemonPort,
      NodeRegistration registration) {
    this.json = json;
    this.nodeName = nodeName;
    this.facts = facts;
    this.berthVersion = berthVersion;
    this.daemonPort = daemonPort;
    this.registration = registration;
  }

  /**
   * The Node to create: name, the extra labels and then the well-known ones, and a spec with the
   * registration taints.
   */
  public ObjectNode node() {
    ObjectNode node = json.createObjectNode();
    node.put("apiVersion", "v1");
    node.put("kind", "Node");
    ObjectNode meta = node.putObject("metadata");
    meta.put("name", nodeName);
    ObjectNode labels = meta.putObject("labels");
    new java.util.TreeMap<>(registration.labels()).forEach(labels::put);
    labels().forEach(labels::put);
    ObjectNode spec = node.putObject("spec");
    if (!registration.taints().isEmpty()) {
      ArrayNode taints = spec.putArray("taints");
      for (var t : registration.taints()) {
        ObjectNode taint = taints.addObject().put("key", t.getKey());
        if (t.getValue() != null && !t.getValue().isEmpty()) {
          taint.put("value", t.getValue());
        }
        taint.put("effect", t.getEffect());
      }
    }
    return node;
  }

  /** The well-known labels the kubelet sets on its Node (and keeps set on an adopted one). */
  public Map<String, String> labels() {
    return Map.of(
        "kubernetes.io/hostname",
        nodeName,
        "kubernetes.io/os",
        "linux",
        "kubernetes.io/arch",
        facts.architecture(),
        "beta.kubernetes.io/os",
        "linux",
        "beta.kubernetes.io/arch",
        facts.architecture());
  }

  /**
   * The status to report now.
   *
   * @param previous the status the API server holds (for condition transition times), or null
   */
  public ObjectNode status(Observed o, JsonNode previous, Instant now) {
    ObjectNode status = json.createObjectNode();
    ObjectNode capacity = status.putObject("capacity");
    capacity.put("cpu", cpu(o.cpuMillis()));
    capacity.put("memory", (o.memoryBytes() / 1024) + "Ki");
    capacity.put("pods", Integer.toString(o.maxPods()));
    capacity.put("ephemeral-storage", (o.ephemeralStorageBytes() / 1024) + "Ki");
    NodeRegistration.Allocatable a =
        registration.allocatable(o.cpuMillis(), o.memoryBytes(), o.ephemeralStorageBytes());
    ObjectNode allocatable = status.putObject("allocatable");
    allocatable.put("cpu", cpu(a.cpuMillis()));
    allocatable.put("memory", (a.memoryBytes() / 1024) + "Ki");
    allocatable.put("pods", Integer.toString(o.maxPods()));
    allocatable.put("ephemeral-storage", Long.toString(a.ephemeralStorageBytes()));
    ArrayNode conditions = status.putArray("conditions");
    condition(
        conditions,
        previous,
        "MemoryPressure",
        o.memoryPressure(),
        o.memoryPressure() ? "KubeletHasInsufficientMemory" : "KubeletHasSufficientMemory",
        o.memoryPressure()
            ? "kubelet has insufficient memory available"
            : "kubelet has sufficient memory available",
        now);
    condition(
        conditions,
        previous,
        "DiskPressure",
        o.diskPressure(),
        o.diskPressure() ? "KubeletHasDiskPressure" : "KubeletHasNoDiskPressure",
        o.diskPressure() ? "kubelet has disk pressure" : "kubelet has no disk pressure",
        now);
    condition(
        conditions,
        previous,
        "PIDPressure",
        o.pidPressure(),
        o.pidPressure() ? "KubeletHasInsufficientPID" : "KubeletHasSufficientPID",
        o.pidPressure()
            ? "kubelet has insufficient PID available"
            : "kubelet has sufficient PID available",
        now);
    condition(
        conditions,
        previous,
        "Ready",
        o.ready(),
        o.ready() ? "KubeletReady" : "KubeletNotReady",
        o.ready() ? "berth is posting ready status" : o.notReadyMessage(),
        now);
    ArrayNode addresses = status.putArray("addresses");
    for (String ip : facts.internalIps()) {
      addresses.addObject().put("type", "InternalIP").put("address", ip);
    }
    addresses.addObject().put("type", "Hostname").put("address", facts.hostname());
    status.putObject("daemonEndpoints").putObject("kubeletEndpoint").put("Port", daemonPort);
    ObjectNode info = status.putObject("nodeInfo");
    info.put("machineID", facts.machineId());
    info.put("systemUUID", facts.machineId());
    info.put("bootID", facts.bootId());
    info.put("kernelVersion", facts.kernelVersion());
    info.put("osImage", facts.osImage());
    info.put("containerRuntimeVersion", o.runtimeVersion());
    info.put("kubeletVersion", berthVersion);
    info.put("kubeProxyVersion", "");
    info.put("operatingSystem", "linux");
    info.put("architecture", facts.architecture());
    return status;
  }

  /** The status without heartbeat times: what decides whether a report is due early. */
  public static JsonNode withoutHeartbeats(JsonNode status) {
    JsonNode copy = status.deepCopy();
    for (JsonNode c : copy.path("conditions")) {
      ((ObjectNode) c).remove("lastHeartbeatTime");
    }
    return copy;
  }

  private static void condition(
      ArrayNode out,
      JsonNode previous,
      String type,
      boolean value,
      String reason,
      String message,
      Instant now) {
    String status = value ? "True" : "False";
    String transition = time(now);
    if (previous != null) {
      for (JsonNode c : previous.path("conditions")) {
        if (c.path("type").asText().equals(type)
            && c.path("status").asText().equals(status)
            && c.has("lastTransitionTime")) {
          transition = c.path("lastTransitionTime").asText();
        }
      }
    }
    ObjectNode c = out.addObject();
    c.put("type", type);
    c.put("status", status);
    c.put("lastHeartbeatTime", time(now));
    c.put("lastTransitionTime", transition);
    c.put("reason", reason);
    c.put("message", message);
  }

  private static String cpu(long millis) {
    return millis % 1000 == 0 ? Long.toString(millis / 1000) : millis + "m";
  }

  static String time(Instant t) {
    return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
  }
}
