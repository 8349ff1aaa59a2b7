package io.berth.metrics.node;

import java.util.List;
import java.util.Optional;

/**
 * A hard eviction threshold, as {@code --eviction-hard} spells it ({@code memory.available<100Mi}).
 *
 * @param signal what is measured
 * @param value the limit, absolute or a share of capacity
 */
public record EvictionThreshold(Signal signal, Value value) {

  /** Eviction signals the kubelet knows and berth evaluates. */
  public enum Signal {
    MEMORY_AVAILABLE("memory.available"),
    NODEFS_AVAILABLE("nodefs.available"),
    NODEFS_INODES_FREE("nodefs.inodesFree"),
    IMAGEFS_AVAILABLE("imagefs.available"),
    PID_AVAILABLE("pid.available");

    private final String kubeName;

    Signal(String kubeName) {
      this.kubeName = kubeName;
    }

    /** The name used in kubelet flags and events. */
    public String kubeName() {
      return kubeName;
    }
  }

  /** A threshold value. */
  public sealed interface Value permits Quantity, Percentage {
    /** The minimum available amount below which the threshold is met, given the capacity. */
    long minimum(long capacity);
  }

  /** An absolute quantity (bytes, inodes, pids). */
  public record Quantity(long amount) implements Value {
    @Override
    public long minimum(long capacity) {
      return amount;
    }
  }

  /** A percentage of capacity, 0..100. */
  public record Percentage(double percent) implements Value {
    @Override
    public long minimum(long capacity) {
      return (long) Math.ceil(capacity * percent / 100.0);
    }
  }

  /**
   * The kubelet's Linux defaults: memory.available&lt;100Mi, nodefs.available&lt;10%,
   * nodefs.inodesFree&lt;5%, imagefs.available&lt;15%. There is no default pid threshold.
   */
  public static List<EvictionThreshold> kubeletDefaults() {
    return List.of(
        new EvictionThreshold(Signal.MEMORY_AVAILABLE, new Quantity(100L * 1024 * 1024)),
        new EvictionThreshold(Signal.NODEFS_AVAILABLE, new Percentage(10)),
        new EvictionThreshold(Signal.NODEFS_INODES_FREE, new Percentage(5)),
        new EvictionThreshold(Signal.IMAGEFS_AVAILABLE, new Percentage(15)));
  }

  /** The threshold for {@code signal} in {@code thresholds}, if configured. */
  public static Optional<EvictionThreshold> find(
      List<EvictionThreshold> thresholds, Signal signal) {
    return thresholds.stream().filter(t -> t.signal() == signal).findFirst();
  }
}
