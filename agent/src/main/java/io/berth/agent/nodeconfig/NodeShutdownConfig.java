package io.berth.agent.nodeconfig;

import java.time.Duration;

/**
 * The KubeletConfiguration's graceful node shutdown fields, read from the same document as {@link
 * KubeletConfig}.
 *
 * @param shutdownGracePeriod how long the node shutdown is delayed for pods; 0 (the default): off
 * @param shutdownGracePeriodCriticalPods the part of it reserved for critical pods
 */
public record NodeShutdownConfig(
    Duration shutdownGracePeriod, Duration shutdownGracePeriodCriticalPods) {

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
    return new NodeShutdownConfig(grace, critical);
  }

  /** The two fields as YAML lines of the KubeletConfiguration document. */
  String toYaml() {
    Yaml y = new Yaml();
    y.line("shutdownGracePeriod", GoDuration.format(shutdownGracePeriod));
    y.line("shutdownGracePeriodCriticalPods", GoDuration.format(shutdownGracePeriodCriticalPods));
    return y.toString();
  }
}
