package io.berth.agent.proxy;

import io.berth.netfilter.model.ProxyConfig;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The proxier's configuration (kube-proxy's flags of the same meaning).
 *
 * @param nodeName this node; endpoints whose {@code nodeName} equals it are local
 * @param proxyName berth's name for the {@code service.kubernetes.io/service-proxy-name} label:
 *     Services carrying that label are handled only when it equals this name; empty: never
 * @param proxyConfig masquerade settings handed to netfilter
 * @param minSyncPeriod minimum time between syncs once the burst is used ({@code
 *     --iptables-min-sync-period}, kube-proxy default 1 s)
 * @param burstSyncs syncs allowed back to back before {@code minSyncPeriod} applies (kube-proxy: 2)
 * @param syncPeriod maximum time between syncs ({@code --iptables-sync-period}, default 30 s)
 * @param fullSyncPeriod a sync at least this long after the last full sync is a full one
 * @param retryInitial first back-off after a failed sync; doubles up to {@code syncPeriod}
 */
public record ProxierSettings(
    String nodeName,
    Optional<String> proxyName,
    ProxyConfig proxyConfig,
    Duration minSyncPeriod,
    int burstSyncs,
    Duration syncPeriod,
    Duration fullSyncPeriod,
    Duration retryInitial) {

  public ProxierSettings {
    Objects.requireNonNull(nodeName, "nodeName");
    Objects.requireNonNull(proxyName, "proxyName");
    Objects.requireNonNull(proxyConfig, "proxyConfig");
    if (minSyncPeriod.isNegative() || syncPeriod.compareTo(minSyncPeriod) < 0) {
      throw new IllegalArgumentException(
          "need 0 <= minSyncPeriod <= syncPeriod: " + minSyncPeriod + ", " + syncPeriod);
    }
    if (burstSyncs < 1) {
      throw new IllegalArgumentException("burstSyncs must be >= 1: " + burstSyncs);
    }
    if (!retryInitial.isPositive() || !fullSyncPeriod.isPositive()) {
      throw new IllegalArgumentException(
          "retryInitial and fullSyncPeriod must be positive: "
              + retryInitial
              + ", "
              + fullSyncPeriod);
    }
  }

  /**
   * kube-proxy's defaults (min 1 s, burst 2, sync 30 s); a full sync whenever the periodic sync
   * comes round, as berth's design asks (kube-proxy's nftables mode waits an hour).
   */
  public static ProxierSettings defaults(String nodeName) {
    return new ProxierSettings(
        nodeName,
        Optional.empty(),
        ProxyConfig.defaults(),
        Duration.ofSeconds(1),
        2,
        Duration.ofSeconds(30),
        Duration.ofSeconds(30),
        Duration.ofSeconds(1));
  }

  /** The {@code /healthz} timeout: kube-proxy uses twice the sync period. */
  public Duration healthTimeout() {
    return syncPeriod.multipliedBy(2);
  }
}
