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
 * @param byPodPriority {@code shutdownGracePeriodByPodPriority}: explicit groups instead of the two
 *     grace periods (which must then be 0); empty for none
 */
public record NodeShutdownSettings(
    Duration gracePeriod,
    Duration criticalPodsGracePeriod,
    String busAddress,
    java.util.List<ShutdownGroup> byPodPriority) {
  public NodeShutdownSettings(
      Duration gracePeriod, Duration criticalPodsGracePeriod, String busAddress) {
    this(gracePeriod, criticalPodsGracePeriod, busAddress, java.util.List.of());
  }

  public NodeShutdownSettings {
    byPodPriority =
        byPodPriority == null ? java.util.List.of() : java.util.List.copyOf(byPodPriority);
    if (!byPodPriority.isEmpty() && (!gracePeriod.isZero() || !criticalPodsGracePeriod.isZero())) {
      throw new IllegalArgumentException(
          "shutdownGracePeriodByPodPriority and shutdownGracePeriod(CriticalPods) exclude each"
              + " other");
    }
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
    return !gracePeriod.isZero() || !byPodPriority.isEmpty();
  }

  /** How long a shutdown is delayed in all: the grace period, or the groups' sum. */
  public Duration totalGracePeriod() {
    return byPodPriority.isEmpty()
        ? gracePeriod
        : byPodPriority.stream().map(ShutdownGroup::grace).reduce(Duration.ZERO, Duration::plus);
  }

  /** These settings with other grace periods. */
  public NodeShutdownSettings withGrace(Duration grace, Duration critical) {
    return new NodeShutdownSettings(grace, critical, busAddress, byPodPriority);
  }

  /** These settings with the bus at {@code address}. */
  public NodeShutdownSettings withBusAddress(String address) {
    return new NodeShutdownSettings(gracePeriod, criticalPodsGracePeriod, address, byPodPriority);
  }
}
