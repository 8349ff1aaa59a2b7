package io.berth.metrics.node;

import io.berth.metrics.stats.InterfaceStats;
import java.time.Instant;
import java.util.List;

/**
 * Node-wide stats at one instant.
 *
 * @param time when read
 * @param bootTime when the node booted (the Summary API's node startTime)
 * @param cpuCores logical processors
 * @param cpuUsageNanos cumulative non-idle CPU time of all cores (user+nice+system+irq+softirq+
 *     steal)
 * @param memoryTotalBytes physical memory
 * @param memoryAvailableBytes {@code MemAvailable}
 * @param memoryWorkingSetBytes total − available (the kubelet uses the root cgroup's usage −
 *     inactive_file; this is the host-wide equivalent OSHI offers)
 * @param nodefs the filesystem of the kubelet root directory
 * @param network host interfaces (no loopback), sorted by name
 * @param loadAverage 1, 5 and 15 minute load averages (negative when unavailable)
 * @param maxPid {@code /proc/sys/kernel/pid_max}
 * @param currentProcesses tasks (threads) on the node, the kubelet's rlimit curproc
 */
public record NodeStats(
    Instant time,
    Instant bootTime,
    int cpuCores,
    long cpuUsageNanos,
    long memoryTotalBytes,
    long memoryAvailableBytes,
    long memoryWorkingSetBytes,
    FilesystemStats nodefs,
    List<InterfaceStats> network,
    List<Double> loadAverage,
    long maxPid,
    long currentProcesses) {
  public NodeStats {
    network = List.copyOf(network);
    loadAverage = List.copyOf(loadAverage);
  }
}
