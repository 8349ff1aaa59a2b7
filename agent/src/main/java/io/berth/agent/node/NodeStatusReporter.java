package io.berth.agent.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.agent.kubeapi.ApiException;
import io.berth.agent.kubeapi.KubeApiClient;
import io.berth.agent.kubeapi.Periodic;
import io.berth.agent.kubeapi.ResourcePath;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the Node (creates it, or adopts an existing one and merges berth's labels into it) and
 * reports its status, as the kubelet does with the node lease on: the status is computed every
 * {@code nodeStatusUpdateFrequency} (10 s) and sent when it changed (heartbeat times aside) or when
 * the last report is {@code nodeStatusReportFrequency} (5 min) old. A failed registration or report
 * is retried on the next pass.
 *
 * <p>Thread safety: one timer thread; {@link #syncOnce()} is synchronized.
 */
public final class NodeStatusReporter implements AutoCloseable {
  /** The kubelet's default --node-status-update-frequency. */
  public static final Duration UPDATE_FREQUENCY = Duration.ofSeconds(10);

  /** The kubelet's default --node-status-report-frequency (with leases). */
  public static final Duration REPORT_FREQUENCY = Duration.ofMinutes(5);

  /** While the node is not Ready, status is checked this often (the kubelet's fast updates). */
  static final Duration FAST_UPDATE = Duration.ofSeconds(1);

  private static final Logger log = LoggerFactory.getLogger(NodeStatusReporter.class);

  private final KubeApiClient client;
  private final NodeStatusBuilder builder;
  private final Supplier<NodeStatusBuilder.Observed> observe;
  private final Clock clock;
  private final String nodeName;
  private final Duration updateFrequency;
  private final Duration reportFrequency;
  private boolean registered;
  private JsonNode lastReported;
  private Instant lastReportTime;
  private Instant lastPass;
  private boolean lastReady;
  private volatile boolean syncSoon;
  private volatile String nodeUid;
  private volatile java.util.List<io.fabric8.kubernetes.api.model.Taint> taints;
  private Periodic timer;

  public NodeStatusReporter(
      KubeApiClient client,
      String nodeName,
      NodeStatusBuilder builder,
      Supplier<NodeStatusBuilder.Observed> observe,
      Clock clock) {
    this(client, nodeName, builder, observe, clock, UPDATE_FREQUENCY, REPORT_FREQUENCY);
  }

  /**
   * @param updateFrequency how often the status is computed ({@code nodeStatusUpdateFrequency})
   * @param reportFrequency how often an unchanged status is sent ({@code
   *     nodeStatusReportFrequency})
   */
  public NodeStatusReporter(
      KubeApiClient client,
      String nodeName,
      NodeStatusBuilder builder,
      Supplier<NodeStatusBuilder.Observed> observe,
      Clock clock,
      Duration updateFrequency,
      Duration reportFrequency) {
    this.client = client;
    this.nodeName = nodeName;
    this.builder = builder;
    this.observe = observe;
    this.clock = clock;
    this.updateFrequency = updateFrequency;
    this.reportFrequency = reportFrequency;
  }

  public synchronized void start() {
    Duration tick = updateFrequency.compareTo(FAST_UPDATE) < 0 ? updateFrequency : FAST_UPDATE;
    timer = Periodic.start("berth-node-status", Duration.ZERO, tick, this::syncOnce);
  }

  /**
   * Has the next pass (within {@link #FAST_UPDATE}) compute and report the status even when the
   * last one is recent: something the Ready condition depends on changed (a node shutdown began).
   */
  public void syncSoon() {
    syncSoon = true;
  }

  /**
   * The Node's taints as last read from the API server (every 10 s), for admission; null before the
   * first read.
   */
  public java.util.List<io.fabric8.kubernetes.api.model.Taint> taints() {
    return taints;
  }

  /** The registered Node's uid (for the lease's owner reference), or null before registration. */
  public String nodeUid() {
    return nodeUid;
  }

  /**
   * Registers if needed, then reports the status when due; passes come every update frequency, or
   * every second while the node is not Ready so that Ready is reported at once.
   */
  public synchronized void syncOnce() throws InterruptedException {
    Instant start = clock.instant();
    if (lastReady
        && !syncSoon
        && lastPass != null
        && start.isBefore(lastPass.plus(updateFrequency))) {
      return;
    }
    syncSoon = false;
    lastPass = start;
    String path = ResourcePath.NODES.item(nodeName);
    try {
      JsonNode current;
      if (!registered) {
        current = register();
        registered = true;
      } else {
        current = client.get(path);
      }
      nodeUid = current.path("metadata").path("uid").asText(null);
      taints = taints(current.path("spec").path("taints"));
      Instant now = clock.instant();
      NodeStatusBuilder.Observed observed = observe.get();
      lastReady = observed.ready();
      ObjectNode status = builder.status(observed, current.path("status"), now);
      JsonNode comparable = NodeStatusBuilder.withoutHeartbeats(status);
      boolean changed =
          !comparable.equals(lastReported)
              || !comparable.equals(NodeStatusBuilder.withoutHeartbeats(current.path("status")));
      boolean due = lastReportTime == null || !now.isBefore(lastReportTime.plus(reportFrequency));
      if (changed || due) {
        ObjectNode patch = client.json().createObjectNode();
        patch.set("status", status);
        client.patch(ResourcePath.NODES.status(nodeName), KubeApiClient.PatchType.MERGE, patch);
        lastReported = comparable;
        lastReportTime = now;
      }
    } catch (ApiException e) {
      if (e.isNotFound()) {
        registered = false;
      }
      log.warn(
          "node {} status not reported, retrying in {} s: {}",
          nodeName,
          updateFrequency.toMillis() / 1000.0,
          e.getMessage());
    }
  }

  private java.util.List<io.fabric8.kubernetes.api.model.Taint> taints(JsonNode list) {
    if (!list.isArray()) {
      return java.util.List.of();
    }
    try {
      return java.util.List.of(
          client.json().treeToValue(list, io.fabric8.kubernetes.api.model.Taint[].class));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      log.warn("node {}: taints unreadable, keeping the last ones: {}", nodeName, e.getMessage());
      return taints == null ? java.util.List.of() : taints;
    }
  }

  private JsonNode register() throws ApiException, InterruptedException {
    try {
      JsonNode created = client.create(ResourcePath.NODES.collection(), builder.node());
      log.info("node {} registered", nodeName);
      return created;
    } catch (ApiException e) {
      if (!e.isAlreadyExists()) {
        throw e;
      }
    }
    ObjectNode patch = client.json().createObjectNode();
    ObjectNode labels = patch.putObject("metadata").putObject("labels");
    for (Map.Entry<String, String> l : builder.labels().entrySet()) {
      labels.put(l.getKey(), l.getValue());
    }
    JsonNode adopted =
        client.patch(ResourcePath.NODES.item(nodeName), KubeApiClient.PatchType.MERGE, patch);
    log.info("node {} already registered: adopted", nodeName);
    return adopted;
  }

  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.close();
    }
  }
}
