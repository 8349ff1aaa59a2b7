package io.berth.metrics;

import io.berth.metrics.stats.CgroupStats;
import io.berth.metrics.stats.InterfaceStats;
import java.util.List;
import java.util.Optional;

/**
 * One pod's stats from one collection.
 *
 * @param pod the input descriptor
 * @param stats the pod-level cgroup, empty if it could not be read
 * @param containers containers whose cgroup could be read (vanished ones are left out)
 * @param network interfaces of the pod's network namespace, sorted by name
 */
public record PodSample(
    PodRef pod,
    Optional<CgroupStats> stats,
    List<ContainerSample> containers,
    List<InterfaceStats> network) {
  public PodSample {
    containers = List.copyOf(containers);
    network = List.copyOf(network);
  }
}
