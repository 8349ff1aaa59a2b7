package io.berth.metrics.node;

/**
 * What the node registers as {@code status.capacity}.
 *
 * @param cpuMillis logical processors × 1000
 * @param memoryBytes physical memory
 * @param pods maximum pods (the kubelet's {@code --max-pods}, default 110)
 * @param ephemeralStorageBytes nodefs capacity
 */
public record NodeCapacity(long cpuMillis, long memoryBytes, int pods, long ephemeralStorageBytes) {

  /** The kubelet's default {@code --max-pods}. */
  public static final int DEFAULT_MAX_PODS = 110;

  /** Capacity from measured node stats. */
  public static NodeCapacity of(NodeStats stats, int maxPods) {
    return new NodeCapacity(
        stats.cpuCores() * 1000L,
        stats.memoryTotalBytes(),
        maxPods,
        stats.nodefs().capacityBytes());
  }
}
