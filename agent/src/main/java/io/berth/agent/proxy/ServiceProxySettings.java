package io.berth.agent.proxy;

import io.berth.netfilter.model.Cidr;
import io.berth.netfilter.model.ProxyConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@code berth run} runs its Service proxy (kube-proxy's flags of the same meaning).
 *
 * @param mode {@code --proxy-mode}
 * @param serviceDir {@code --service-dir}: Services and EndpointSlices from files; null for none.
 *     With no Service source the proxy stays off (nothing to program, no tables created)
 * @param clusterCidrs {@code --cluster-cidr}: pod CIDRs; cluster-IP traffic from outside is
 *     masqueraded
 * @param nodePortAddresses {@code --nodeport-addresses}: local addresses that accept node ports
 *     (none of a family: all of that family)
 * @param healthzAddress {@code --proxy-healthz-bind-address}: kube-proxy's {@code /healthz} (berth:
 *     127.0.0.1:10256; kube-proxy: 0.0.0.0:10256)
 * @param syncPeriod {@code --proxy-sync-period}: longest time between syncs (30 s)
 * @param minSyncPeriod {@code --proxy-min-sync-period}: shortest time between syncs after a burst
 *     of two (1 s)
 */
public record ServiceProxySettings(
    ProxyMode mode,
    Path serviceDir,
    List<Cidr> clusterCidrs,
    List<Cidr> nodePortAddresses,
    InetSocketAddress healthzAddress,
    Duration syncPeriod,
    Duration minSyncPeriod) {

  /** kube-proxy's health port. */
  public static final int DEFAULT_HEALTHZ_PORT = 10256;

  public ServiceProxySettings {
    Objects.requireNonNull(mode, "mode");
    clusterCidrs = List.copyOf(clusterCidrs);
    nodePortAddresses = List.copyOf(nodePortAddresses);
    Objects.requireNonNull(healthzAddress, "healthzAddress");
    if (!syncPeriod.isPositive()) {
      throw new IllegalArgumentException("--proxy-sync-period must be positive, got " + syncPeriod);
    }
    if (minSyncPeriod.isNegative() || syncPeriod.compareTo(minSyncPeriod) < 0) {
      throw new IllegalArgumentException(
          "need 0 <= --proxy-min-sync-period <= --proxy-sync-period, got "
              + minSyncPeriod
              + " and "
              + syncPeriod);
    }
  }

  /** No Service source: the proxy is off. */
  public static ServiceProxySettings off() {
    return new ServiceProxySettings(
        ProxyMode.AUTO,
        null,
        List.of(),
        List.of(),
        new InetSocketAddress("127.0.0.1", DEFAULT_HEALTHZ_PORT),
        Duration.ofSeconds(30),
        Duration.ofSeconds(1));
  }

  /**
   * {@code --proxy-mode none} and no Service directory: what an embedded {@code NodeAgent} gets
   * when it names no proxy settings (API Services still feed the environment variables).
   */
  public static ServiceProxySettings none() {
    ServiceProxySettings d = off();
    return new ServiceProxySettings(
        ProxyMode.NONE,
        null,
        List.of(),
        List.of(),
        d.healthzAddress(),
        d.syncPeriod(),
        d.minSyncPeriod());
  }

  /**
   * Whether berth runs a proxy from a Service directory: a Service source and a mode other than
   * none.
   */
  public boolean enabled() {
    return serviceDir != null && mode != ProxyMode.NONE;
  }

  /** The proxier's settings for {@code nodeName}. */
  public ProxierSettings proxierSettings(String nodeName) {
    ProxierSettings d = ProxierSettings.defaults(nodeName);
    return new ProxierSettings(
        nodeName,
        Optional.empty(),
        new ProxyConfig(false, d.proxyConfig().masqueradeMark(), clusterCidrs, nodePortAddresses),
        minSyncPeriod,
        d.burstSyncs(),
        syncPeriod,
        syncPeriod,
        d.retryInitial().compareTo(syncPeriod) > 0 ? syncPeriod : d.retryInitial());
  }
}
