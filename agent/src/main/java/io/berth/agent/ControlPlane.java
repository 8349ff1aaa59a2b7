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
import io.berth.agent.pod.HostFacts;
import io.berth.agent.pod.PodStatusView;
import io.berth.agent.pod.PodWorkers;
import io.berth.agent.status.MirrorPods;
import io.berth.agent.status.StatusManager;
import io.berth.cri.VersionInfo;
import io.berth.metrics.node.OshiNodeStatsSource;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
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
  /** How often pod and mirror pod statuses are compared and sent. */
  static final Duration STATUS_SYNC_PERIOD = Duration.ofSeconds(1);

  private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);

  /** What the control plane reads from and feeds into berth's pod machinery. */
  record Parts(
      PodConfig podConfig,
      PodStatusView podStatuses,
      PodWorkers podWorkers,
      Supplier<VersionInfo> runtimeVersion,
      ObjectMapper json,
      Clock clock) {}

  private final ApiServerSource apiPods;
  private final StatusManager statusManager;
  private final NodeStatusReporter nodeStatus;
  private final NodeLease nodeLease;
  private final Periodic mirrorPods;

  private ControlPlane(
      ApiServerSource apiPods,
      StatusManager statusManager,
      NodeStatusReporter nodeStatus,
      NodeLease nodeLease,
      Periodic mirrorPods) {
    this.apiPods = apiPods;
    this.statusManager = statusManager;
    this.nodeStatus = nodeStatus;
    this.nodeLease = nodeLease;
    this.mirrorPods = mirrorPods;
  }

  /** Connects with the kubeconfig and starts every part; they retry on their own from then on. */
  static ControlPlane start(NodeAgent.Settings settings, Parts parts) {
    Clock clock = parts.clock();
    String node = settings.nodeName();
    KubeApiClient api = client(settings, clock);
    ApiServerSource apiPods =
        new ApiServerSource(api, node, parts.podConfig(), RetryBackoff.reflectorDefaults(clock));
    apiPods.start();
    StatusManager statusManager =
        new StatusManager(
            api,
            () -> parts.podStatuses().podList().getItems(),
            apiPods::apiPods,
            parts.podWorkers()::couldHaveRunningContainers);
    statusManager.start(STATUS_SYNC_PERIOD);
    NodeStatusBuilder builder =
        new NodeStatusBuilder(
            parts.json(),
            node,
            NodeFacts.ofHost(HostFacts.hostIps(), node),
            "v1.32.0-berth-" + BerthVersion.current(),
            settings.nodeServer().enabled()
                ? settings.nodeServer().address().getPort()
                : settings.httpAddress().getPort());
    NodeObserver observer =
        new NodeObserver(
            new OshiNodeStatsSource(settings.rootDir(), clock), parts.runtimeVersion());
    NodeStatusReporter nodeStatus = new NodeStatusReporter(api, node, builder, observer, clock);
    nodeStatus.start();
    NodeLease nodeLease = new NodeLease(api, node, nodeStatus::nodeUid, clock);
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
    return new ControlPlane(apiPods, statusManager, nodeStatus, nodeLease, mirrorPods);
  }

  /** A client for the API server of {@code settings.kubeconfig()} (also the node API's reviews). */
  static KubeApiClient client(NodeAgent.Settings settings, Clock clock) {
    try {
      Kubeconfig config = new KubeconfigLoader().load(settings.kubeconfig(), Optional.empty());
      return KubeApiClient.create(config, clock, "berth/" + BerthVersion.current());
    } catch (KubeconfigException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot connect to the API server: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
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
