package io.berth.agent.nodeconfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The KubeletConfiguration's graceful node shutdown fields, read from the same document as {@link
 * KubeletConfig}.
 *
 * @param shutdownGracePeriod how long the node shutdown is delayed for pods; 0 (the default): off
 * @param shutdownGracePeriodCriticalPods the part of it reserved for critical pods
 * @param shutdownGracePeriodByPodPriority explicit priority groups instead of the two fields
 */
public record NodeShutdownConfig(
    Duration shutdownGracePeriod,
    Duration shutdownGracePeriodCriticalPods,
    List<ByPodPriority> shutdownGracePeriodByPodPriority) {

  /** One {@code shutdownGracePeriodByPodPriority} entry. */
  public record ByPodPriority(int priority, long shutdownGracePeriodSeconds) {}

  public NodeShutdownConfig {
    shutdownGracePeriodByPodPriority = List.copyOf(shutdownGracePeriodByPodPriority);
  }

  public NodeShutdownConfig(
      Duration shutdownGracePeriod, Duration shutdownGracePeriodCriticalPods) {
    this(shutdownGracePeriod, shutdownGracePeriodCriticalPods, List.of());
  }

  /** The kubelet's defaults: the feature off. */
  public static NodeShutdownConfig defaults() {
    return new NodeShutdownConfig(Duration.ZERO, Duration.ZERO);
  }

  static NodeShutdownConfig read(FieldReader r) {
    Duration grace = r.duration("shutdownGracePeriod", Duration.ZERO);
    Duration critical = r.duration("shutdownGracePeriodCriticalPods", Duration.ZERO);
    if (critical.compareTo(grace) > 0) {
      r.error(
          "shutdownGracePeriodCriticalPods",
          "must not exceed shutdownGracePeriod ("
              + GoDuration.format(critical)
              + " > "
              + GoDuration.format(grace)
              + ")");
    }
    List<ByPodPriority> groups = new ArrayList<>();
    for (FieldReader g : r.objects("shutdownGracePeriodByPodPriority")) {
      int priority = g.integer("priority", 0, Integer.MIN_VALUE, Integer.MAX_VALUE);
      int seconds = g.integer("shutdownGracePeriodSeconds", 0, 0, Integer.MAX_VALUE);
      groups.add(new ByPodPriority(priority, seconds));
    }
    if (!groups.isEmpty() && (!grace.isZero() || !critical.isZero())) {
      r.error(
          "shutdownGracePeriodByPodPriority",
          "cannot be given together with shutdownGracePeriod or shutdownGracePeriodCriticalPods");
    }
    return new NodeShutdownConfig(grace, critical, groups);
  }

  /** The two fields as YAML lines of the KubeletConfiguration document. */
  String toYaml() {
    Yaml y = new Yaml();
    y.line("shutdownGracePeriod", GoDuration.format(shutdownGracePeriod));
    y.line("shutdownGracePeriodCriticalPods", GoDuration.format(shutdownGracePeriodCriticalPods));
    return y.toString();
  }
}
