package io.berth.agent.shutdown;

import java.time.Duration;

/**
 * Graceful node shutdown's settings.
 *
 * @param gracePeriod {@code shutdownGracePeriod}: how long the node delays its shutdown for pods; 0
 *     turns the feature off (the kubelet's default)
 * @param criticalPodsGracePeriod {@code shutdownGracePeriodCriticalPods}: the part of it reserved
 *     for critical pods, at most {@code gracePeriod}
 * @param busAddress the system bus where logind lives ({@code unix:path=...})
 */
public record NodeShutdownSettings(
    Duration gracePeriod, Duration criticalPodsGracePeriod, String busAddress) {
  public NodeShutdownSettings {
    if (gracePeriod.isNegative() || criticalPodsGracePeriod.isNegative()) {
      throw new IllegalArgumentException("shutdown grace periods must not be negative");
    }
    if (criticalPodsGracePeriod.compareTo(gracePeriod) > 0) {
      throw new IllegalArgumentException(
          "shutdownGracePeriodCriticalPods ("
              + criticalPodsGracePeriod.toSeconds()
              + " s) must not exceed shutdownGracePeriod ("
              + gracePeriod.toSeconds()
              + " s)");
    }
  }

  /** The feature off, as the kubelet's defaults have it. */
  public static NodeShutdownSettings off() {
    return new NodeShutdownSettings(
        Duration.ZERO, Duration.ZERO, io.berth.agent.dbus.DbusConnection.SYSTEM_BUS);
  }

  public boolean enabled() {
    return !gracePeriod.isZero();
  }

  /** These settings with other grace periods. */
  public NodeShutdownSettings withGrace(Duration grace, Duration critical) {
    return new NodeShutdownSettings(grace, critical, busAddress);
  }

  /** These settings with the bus at {@code address}. */
  public NodeShutdownSettings withBusAddress(String address) {
    return new NodeShutdownSettings(gracePeriod, criticalPodsGracePeriod, address);
  }
}
