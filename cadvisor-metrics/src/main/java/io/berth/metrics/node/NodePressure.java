package io.berth.metrics.node;

import io.berth.metrics.node.EvictionThreshold.Signal;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Eviction signals observed on the node and the node conditions they imply.
 *
 * @param observations per signal: available amount and capacity
 * @param breached signals whose threshold is met
 */
public record NodePressure(Map<Signal, Observation> observations, Set<Signal> breached) {

  /** One observed signal. */
  public record Observation(long available, long capacity) {}

  public NodePressure {
    observations = Map.copyOf(observations);
    breached = Set.copyOf(breached);
  }

  /** Condition {@code MemoryPressure}. */
  public boolean memoryPressure() {
    return breached.contains(Signal.MEMORY_AVAILABLE);
  }

  /** Condition {@code DiskPressure}: any nodefs or imagefs signal. */
  public boolean diskPressure() {
    return breached.contains(Signal.NODEFS_AVAILABLE)
        || breached.contains(Signal.NODEFS_INODES_FREE)
        || breached.contains(Signal.IMAGEFS_AVAILABLE);
  }

  /** Condition {@code PIDPressure}. */
  public boolean pidPressure() {
    return breached.contains(Signal.PID_AVAILABLE);
  }

  /**
   * Evaluates {@code thresholds} against {@code stats}, with the kubelet's signal definitions:
   * memory.available = capacity − working set; nodefs/imagefs available bytes and free inodes from
   * statfs; pid.available = pid_max − tasks.
   *
   * @param imagefs the image filesystem if separate from nodefs (empty: same as nodefs)
   */
  public static NodePressure evaluate(
      NodeStats stats, Optional<FilesystemStats> imagefs, List<EvictionThreshold> thresholds) {
    Map<Signal, Observation> observed = new EnumMap<>(Signal.class);
    observed.put(
        Signal.MEMORY_AVAILABLE,
        new Observation(
            Math.max(0, stats.memoryTotalBytes() - stats.memoryWorkingSetBytes()),
            stats.memoryTotalBytes()));
    FilesystemStats nodefs = stats.nodefs();
    observed.put(
        Signal.NODEFS_AVAILABLE, new Observation(nodefs.availableBytes(), nodefs.capacityBytes()));
    observed.put(Signal.NODEFS_INODES_FREE, new Observation(nodefs.inodesFree(), nodefs.inodes()));
    FilesystemStats image = imagefs.orElse(nodefs);
    observed.put(
        Signal.IMAGEFS_AVAILABLE, new Observation(image.availableBytes(), image.capacityBytes()));
    observed.put(
        Signal.PID_AVAILABLE,
        new Observation(Math.max(0, stats.maxPid() - stats.currentProcesses()), stats.maxPid()));

    Set<Signal> breached = EnumSet.noneOf(Signal.class);
    for (EvictionThreshold threshold : thresholds) {
      Observation o = observed.get(threshold.signal());
      // A filesystem that reports no inodes (e.g. some FUSE mounts) cannot be under inode pressure.
      if (o.capacity() <= 0) {
        continue;
      }
      if (o.available() < threshold.value().minimum(o.capacity())) {
        breached.add(threshold.signal());
      }
    }
    return new NodePressure(observed, breached);
  }
}
