package io.berth.agent.node;

import io.berth.cri.VersionInfo;
import io.berth.metrics.node.EvictionThreshold;
import io.berth.metrics.node.NodeCapacity;
import io.berth.metrics.node.NodePressure;
import io.berth.metrics.node.NodeStats;
import io.berth.metrics.node.NodeStatsSource;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures what the node status reports: capacity (OSHI via {@link NodeStatsSource}, max pods 110),
 * pressure against the kubelet's default eviction thresholds, and whether the runtime answers (its
 * version). When the host cannot be read the last good measurement is kept.
 */
public final class NodeObserver implements Supplier<NodeStatusBuilder.Observed> {
  private static final Logger log = LoggerFactory.getLogger(NodeObserver.class);

  private final NodeStatsSource stats;
  private final Supplier<VersionInfo> runtimeVersion;
  private final java.util.List<EvictionThreshold> evictionHard;
  private NodeStats last;
  private final int maxPods;
  private final java.util.function.BooleanSupplier shuttingDown;

  /**
   * @param runtimeVersion the CRI Version call; throws while the runtime is unreachable
   */
  public NodeObserver(NodeStatsSource stats, Supplier<VersionInfo> runtimeVersion) {
    this(stats, runtimeVersion, EvictionThreshold.kubeletDefaults(), NodeCapacity.DEFAULT_MAX_PODS);
  }

  /**
   * @param evictionHard the hard eviction thresholds the pressure conditions are judged against
   * @param maxPods the node's {@code pods} capacity ({@code maxPods})
   */
  public NodeObserver(
      NodeStatsSource stats,
      Supplier<VersionInfo> runtimeVersion,
      java.util.List<EvictionThreshold> evictionHard,
      int maxPods) {
    this(stats, runtimeVersion, evictionHard, maxPods, () -> false);
  }

  /**
   * @param shuttingDown whether a graceful node shutdown is in progress (the node is then not
   *     Ready, as the kubelet reports it)
   */
  public NodeObserver(
      NodeStatsSource stats,
      Supplier<VersionInfo> runtimeVersion,
      java.util.List<EvictionThreshold> evictionHard,
      int maxPods,
      java.util.function.BooleanSupplier shuttingDown) {
    this.shuttingDown = shuttingDown;
    this.stats = stats;
    this.runtimeVersion = runtimeVersion;
    this.evictionHard = java.util.List.copyOf(evictionHard);
    this.maxPods = maxPods;
  }

  @Override
  public synchronized NodeStatusBuilder.Observed get() {
    try {
      last = stats.read();
    } catch (NodeStatsSource.NodeStatsException e) {
      log.warn("node stats unreadable, reporting the last ones: {}", e.getMessage());
      if (last == null) {
        throw e;
      }
    }
    NodeCapacity capacity = NodeCapacity.of(last, maxPods);
    NodePressure pressure = NodePressure.evaluate(last, Optional.empty(), evictionHard);
    String version = "";
    boolean ready;
    try {
      VersionInfo v = runtimeVersion.get();
      version = v.runtimeName() + "://" + v.runtimeVersion().replaceFirst("^v", "");
      ready = true;
    } catch (RuntimeException e) {
      ready = false;
    }
    return new NodeStatusBuilder.Observed(
        capacity.cpuMillis(),
        capacity.memoryBytes(),
        capacity.pods(),
        capacity.ephemeralStorageBytes(),
        pressure.memoryPressure(),
        pressure.diskPressure(),
        pressure.pidPressure(),
        ready,
        version,
        shuttingDown.getAsBoolean());
  }
}
