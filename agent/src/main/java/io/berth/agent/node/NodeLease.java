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
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's heartbeat: the Lease {@code kube-node-lease/<node>} (holder = the node, {@code
 * nodeLeaseDurationSeconds} long, 40 s by default, owned by the Node), created when missing and
 * renewed every quarter of its duration (10 s), as the kubelet's node lease controller does. A
 * failed renewal (outage, conflict) is retried on the next tick, so renewal resumes by itself when
 * the API server returns.
 *
 * <p>Thread safety: one timer thread; {@link #renewOnce()} is synchronized.
 */
public final class NodeLease implements AutoCloseable {
  /** The kubelet's default renew interval: a quarter of {@link #DURATION_SECONDS}. */
  public static final Duration RENEW_INTERVAL = Duration.ofSeconds(10);

  /** The kubelet's default {@code nodeLeaseDurationSeconds}. */
  public static final int DURATION_SECONDS = 40;

  static final String NAMESPACE = "kube-node-lease";
  private static final DateTimeFormatter MICRO_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSX").withZone(ZoneOffset.UTC);
  private static final Logger log = LoggerFactory.getLogger(NodeLease.class);

  private final KubeApiClient client;
  private final String nodeName;
  private final Supplier<String> nodeUid;
  private final Clock clock;
  private final int durationSeconds;
  private final Duration renewInterval;
  private Periodic timer;
  private long renewals;

  /**
   * @param nodeUid the Node's uid once registered (null before: no owner reference yet)
   */
  public NodeLease(KubeApiClient client, String nodeName, Supplier<String> nodeUid, Clock clock) {
    this(client, nodeName, nodeUid, clock, DURATION_SECONDS, RENEW_INTERVAL);
  }

  /**
   * @param nodeUid the Node's uid once registered (null before: no owner reference yet)
   * @param durationSeconds the lease's {@code leaseDurationSeconds}
   * @param renewInterval how often it is renewed (the kubelet: a quarter of the duration)
   */
  public NodeLease(
      KubeApiClient client,
      String nodeName,
      Supplier<String> nodeUid,
      Clock clock,
      int durationSeconds,
      Duration renewInterval) {
    this.client = client;
    this.nodeName = nodeName;
    this.nodeUid = nodeUid;
    this.clock = clock;
    this.durationSeconds = durationSeconds;
    this.renewInterval = renewInterval;
  }

  public synchronized void start() {
    timer = Periodic.start("berth-node-lease", Duration.ZERO, renewInterval, this::renewOnce);
  }

  /** Creates or renews the lease once; failures are logged and left for the next tick. */
  public synchronized void renewOnce() throws InterruptedException {
    ResourcePath leases = ResourcePath.LEASES.inNamespace(NAMESPACE);
    Instant now = clock.instant();
    try {
      JsonNode current;
      try {
        current = client.get(leases.item(nodeName));
      } catch (ApiException e) {
        if (!e.isNotFound()) {
          throw e;
        }
        client.create(leases.collection(), lease(now));
        renewals++;
        return;
      }
      ObjectNode renewed = current.deepCopy();
      ObjectNode spec = renewed.with("spec");
      spec.put("holderIdentity", nodeName);
      spec.put("leaseDurationSeconds", durationSeconds);
      spec.put("renewTime", MICRO_TIME.format(now));
      if (!renewed.path("metadata").has("ownerReferences") && nodeUid.get() != null) {
        renewed
            .with("metadata")
            .set("ownerReferences", lease(now).path("metadata").path("ownerReferences"));
      }
      client.update(leases.item(nodeName), renewed);
      renewals++;
    } catch (ApiException e) {
      log.warn(
          "node lease {}/{} not renewed, retrying in {} s: {}",
          NAMESPACE,
          nodeName,
          renewInterval.toMillis() / 1000.0,
          e.getMessage());
    }
  }

  /** Successful creations and renewals so far. */
  public synchronized long renewals() {
    return renewals;
  }

  private ObjectNode lease(Instant now) {
    ObjectNode lease = client.json().createObjectNode();
    lease.put("apiVersion", "coordination.k8s.io/v1");
    lease.put("kind", "Lease");
    ObjectNode meta = lease.putObject("metadata");
    meta.put("name", nodeName);
    meta.put("namespace", NAMESPACE);
    String uid = nodeUid.get();
    if (uid != null) {
      ObjectNode owner = meta.putArray("ownerReferences").addObject();
      owner.put("apiVersion", "v1");
      owner.put("kind", "Node");
      owner.put("name", nodeName);
      owner.put("uid", uid);
    }
    ObjectNode spec = lease.putObject("spec");
    spec.put("holderIdentity", nodeName);
    spec.put("leaseDurationSeconds", durationSeconds);
    spec.put("renewTime", MICRO_TIME.format(now));
    return lease;
  }

  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.close();
    }
  }
}
