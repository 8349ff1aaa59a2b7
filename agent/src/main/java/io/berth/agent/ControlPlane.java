package io.berth.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.agent.config.ApiServerSource;
import io.berth.agent.config.PodConfig;
import io.berth.agent.kubeapi.KubeApiClient;
import io.berth.agent.kubeapi.Kubeconfig;
import io.berth.agent.kubeapi.KubeconfigException;
import io.berth.agent.kubeapi.KubeconfigLoader;
import io.berth.agent.kubeapi.Periodic;
import io.berth.agent.kubeapi.RetryBackoff;
import io.berth.agent.node.NodeFacts;
import io.berth.agent.node.NodeLease;
import io.berth.agent.node.NodeObserver;
import io.berth.agent.node.NodeStatusBuilder;
import io.berth.agent.node.NodeStatusReporter;
import io.berth.agent.nodeconfig.ApiServerTuning;
import io.berth.agent.pod.HostFacts;
import io.berth.agent.pod.PodStatusView;
import io.berth.agent.pod.PodWorkers;
import io.berth.agent.podobjects.ApiObjectWatches;
import io.berth.agent.podobjects.PodObjects;
import io.berth.agent.podobjects.WatchedObjects;
import io.berth.agent.status.MirrorPods;
import io.berth.agent.status.StatusManager;
import io.berth.cri.VersionInfo;
import io.berth.metrics.node.OshiNodeStatsSource;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * berth's side of the control plane, on with {@code --kubeconfig} (agent/docs/kubeapi.md): the API
 * pod source into PodConfig, the pod status manager, node registration and status, the node lease
 * and mirror pods, all on one API client. {@link NodeAgent} wires it from its pod machinery (the
 * {@link Parts}) and closes it; it keeps the control plane's own wiring out of the root.
 */
final class ControlPlane implements AutoCloseable {
  /** How often mirror pod statuses are compared and sent. */
  static final Duration STATUS_SYNC_PERIOD = Duration.ofSeconds(1);

  private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);

  /** What the control plane reads from and feeds into berth's pod machinery. */
  record Parts(
      PodConfig podConfig,
      PodStatusView podStatuses,
      PodWorkers podWorkers,
      Supplier<VersionInfo> runtimeVersion,
      ObjectMapper json,
      Clock clock,
      PodObjects podObjects,
      MeterRegistry registry,
      io.berth.agent.shutdown.NodeShutdownManager nodeShutdown,
      io.berth.agent.events.EventRecorder events) {}

  private final ApiServerSource apiPods;
  private final StatusManager statusManager;
  private final NodeStatusReporter nodeStatus;
  private final NodeLease nodeLease;
  private final Periodic mirrorPods;
  private KubeApiClient api; // set by start(); the Service proxy's source uses it too
  private final WatchedObjects objects;
  private final Periodic objectRegistrations;

  private ControlPlane(
      ApiServerSource apiPods,
      StatusManager statusManager,
      NodeStatusReporter nodeStatus,
      NodeLease nodeLease,
      Periodic mirrorPods,
      WatchedObjects objects,
      Periodic objectRegistrations) {
    this.apiPods = apiPods;
    this.statusManager = statusManager;
    this.nodeStatus = nodeStatus;
    this.nodeLease = nodeLease;
    this.mirrorPods = mirrorPods;
    this.objects = objects;
    this.objectRegistrations = objectRegistrations;
  }

  /** The Node's taints as the API server has them, or {@code registered} before the first read. */
  java.util.List<io.fabric8.kubernetes.api.model.Taint> nodeTaints(
      java.util.List<io.fabric8.kubernetes.api.model.Taint> registered) {
    var t = nodeStatus.taints();
    return t == null ? registered : t;
  }

  /** Connects with the kubeconfig and starts every part; they retry on their own from then on. */
  static ControlPlane start(NodeAgent.Settings settings, Parts parts) {
    Clock clock = parts.clock();
    String node = settings.nodeName();
    KubeApiClient api = client(settings, clock);
    KubeApiClient heartbeat = heartbeatClient(settings, clock);
    WatchedObjects objects =
        new WatchedObjects(
            new ApiObjectWatches(api, () -> RetryBackoff.reflectorDefaults(clock)),
            parts.podConfig()::mergedState,
            parts.podWorkers()::resync);
    parts.podObjects().attach(objects);
    Periodic objectRegistrations =
        Periodic.start(
            "berth-pod-objects",
            STATUS_SYNC_PERIOD,
            STATUS_SYNC_PERIOD,
            objects::syncRegistrations);
    ApiServerSource apiPods =
        new ApiServerSource(api, node, parts.podConfig(), RetryBackoff.reflectorDefaults(clock));
    apiPods.start();
    StatusManager statusManager =
        new StatusManager(
            api,
            () -> parts.podStatuses().podList().getItems(),
            uid -> parts.podStatuses().get(uid),
            apiPods::apiPods,
            parts.podWorkers()::couldHaveRunningContainers);
    parts.podStatuses().onStatusChanged(statusManager::statusChanged);
    statusManager.start();
    bindMetrics(parts.registry(), List.of(api, heartbeat), statusManager);
    NodeStatusBuilder builder =
        new NodeStatusBuilder(
            parts.json(),
            node,
            NodeFacts.ofHost(HostFacts.hostIps(), node),
            "v1.32.0-berth-" + BerthVersion.current(),
            settings.nodeServer().enabled()
                ? settings.nodeServer().address().getPort()
                : settings.httpAddress().getPort(),
            settings.nodeRegistration());
    NodeObserver observer =
        new NodeObserver(
            new OshiNodeStatsSource(settings.rootDir(), clock),
            parts.runtimeVersion(),
            settings.nodeRegistration().evictionHard(),
            settings.tuning().maxPods(),
            parts.nodeShutdown()::shuttingDown);
    ApiServerTuning tuning = settings.tuning().apiServer();
    var conditionEvents = new io.berth.agent.events.NodeConditionEvents(parts.events(), node);
    NodeStatusReporter nodeStatus =
        new NodeStatusReporter(
            heartbeat,
            node,
            builder,
            () -> {
              NodeStatusBuilder.Observed o = observer.get();
              conditionEvents.observed(
                  o.memoryPressure(), o.diskPressure(), o.pidPressure(), o.ready());
              return o;
            },
            clock,
            tuning.nodeStatusUpdateFrequency(),
            tuning.nodeStatusReportFrequency());
    parts.nodeShutdown().onShuttingDownChanged(nodeStatus::syncSoon);
    nodeStatus.start();
    NodeLease nodeLease =
        new NodeLease(
            heartbeat,
            node,
            nodeStatus::nodeUid,
            clock,
            tuning.nodeLeaseDurationSeconds(),
            tuning.leaseRenewInterval());
    nodeLease.start();
    MirrorPods mirrors =
        new MirrorPods(
            api,
            node,
            nodeStatus::nodeUid,
            parts.podConfig()::mergedState,
            apiPods::apiPods,
            parts.podStatuses()::get);
    Periodic mirrorPods =
        Periodic.start(
            "berth-mirror-pods", STATUS_SYNC_PERIOD, STATUS_SYNC_PERIOD, mirrors::syncOnce);
    log.info("pods bound to node {} from the API server ({})", node, settings.kubeconfig());
    ControlPlane started =
        new ControlPlane(
            apiPods,
            statusManager,
            nodeStatus,
            nodeLease,
            mirrorPods,
            objects,
            objectRegistrations);
    started.api = api;
    return started;
  }

  /** The API client, for other readers of the API (the Service proxy's informers). */
  KubeApiClient api() {
    return api;
  }

  /** The API traffic on berth's /metrics (the kubelet's {@code rest_client_*} in short). */
  private static void bindMetrics(
      MeterRegistry registry, List<KubeApiClient> clients, StatusManager status) {
    FunctionCounter.builder("berth_apiserver_requests", clients, sum(KubeApiClient::requestCount))
        .description("Requests berth sent to the API server (watches and retries included)")
        .register(registry);
    FunctionCounter.builder("berth_apiserver_request_bytes", clients, sum(KubeApiClient::bytesSent))
        .description("Request body bytes berth sent to the API server")
        .baseUnit("bytes")
        .register(registry);
    FunctionCounter.builder(
            "berth_apiserver_response_bytes", clients, sum(KubeApiClient::bytesReceived))
        .description("Response body bytes berth received from the API server (watch events too)")
        .baseUnit("bytes")
        .register(registry);
    FunctionCounter.builder("berth_pod_status_patches", status, StatusManager::patches)
        .description("Pod status patches sent to the API server")
        .register(registry);
  }

  /** One figure over every client (the main one and the heartbeat one). */
  private static java.util.function.ToDoubleFunction<List<KubeApiClient>> sum(
      java.util.function.ToLongFunction<KubeApiClient> figure) {
    return clients -> clients.stream().mapToLong(figure).sum();
  }

  /**
   * The kubelet's heartbeat client for the node status and lease: no rate limit (a busy {@code
   * kubeAPIQPS} never delays them), requests cut after the shorter of the status update frequency
   * and the lease duration.
   */
  static KubeApiClient heartbeatClient(NodeAgent.Settings settings, Clock clock) {
    ApiServerTuning tuning = settings.tuning().apiServer();
    Duration lease = Duration.ofSeconds(tuning.nodeLeaseDurationSeconds());
    Duration update = tuning.nodeStatusUpdateFrequency();
    try {
      Kubeconfig config = new KubeconfigLoader().load(settings.kubeconfig(), Optional.empty());
      return KubeApiClient.heartbeat(
          config,
          clock,
          "berth/" + BerthVersion.current(),
          update.compareTo(lease) < 0 ? update : lease);
    } catch (KubeconfigException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot connect to the API server: " + e.getMessage(), e);
    }
  }

  /** A client for the API server of {@code settings.kubeconfig()} (also the node API's reviews). */
  static KubeApiClient client(NodeAgent.Settings settings, Clock clock) {
    ApiServerTuning tuning = settings.tuning().apiServer();
    return client(settings, clock, tuning.kubeAPIQPS(), tuning.kubeAPIBurst());
  }

  /**
   * A client with its own rate limit, as the kubelet's event client (eventRecordQPS 50, eventBurst
   * 100), so events never share kubeAPIQPS with pod status.
   */
  static KubeApiClient client(NodeAgent.Settings settings, Clock clock, double qps, int burst) {
    try {
      Kubeconfig config = new KubeconfigLoader().load(settings.kubeconfig(), Optional.empty());
      return KubeApiClient.create(config, clock, "berth/" + BerthVersion.current(), qps, burst);
    } catch (KubeconfigException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot connect to the API server: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    objectRegistrations.close();
    objects.close();
    statusManager.close();
    mirrorPods.close();
    nodeLease.close();
    nodeStatus.close();
    try {
      apiPods.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
