package io.berth.agent.proxy;

import io.berth.netfilter.SyncMode;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * The proxier's meters under kube-proxy's own names ({@code pkg/proxy/metrics}), so kube-proxy
 * dashboards and alerts work on berth's {@code /metrics}:
 *
 * <ul>
 *   <li>{@code kubeproxy_sync_proxy_rules_duration_seconds} (every sync attempt), {@code
 *       kubeproxy_sync_full_proxy_rules_duration_seconds} and {@code
 *       kubeproxy_sync_partial_proxy_rules_duration_seconds}: histograms with kube-proxy's buckets
 *       (1 ms doubling to 16.4 s);
 *   <li>{@code kubeproxy_network_programming_duration_seconds}: from an EndpointSlice's {@code
 *       endpoints.kubernetes.io/last-change-trigger-time} to the sync that applied it (kube-proxy's
 *       buckets, 0.25 s to 300 s);
 *   <li>{@code kubeproxy_sync_proxy_rules_last_timestamp_seconds}: the last successful sync, and
 *       {@code kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds}: the last queued change;
 *   <li>{@code kubeproxy_sync_proxy_rules_service_changes_total} and {@code
 *       kubeproxy_sync_proxy_rules_endpoint_changes_total}: Service and EndpointSlice events;
 *   <li>{@code kubeproxy_sync_proxy_rules_nftables_sync_failures_total} (iptables back end: {@code
 *       kubeproxy_sync_proxy_rules_iptables_restore_failures_total}).
 * </ul>
 *
 * <p>berth's own additions ({@code berth_proxy_*}): syncs attempted, the last full sync, Services,
 * service ports and endpoints programmed, and the nft commands the last sync sent. kube-proxy's
 * rule-count gauge exists for iptables only; berth's nftables ruleset keeps a constant set of rules
 * and puts Services into map elements, so it counts those instead. Gauges read {@link
 * Proxier#stats()} at scrape time ({@code NaN} before the first successful sync); histograms are
 * fed by a sync listener.
 */
public final class ProxierMetrics implements MeterBinder {
  private final Proxier proxier;
  private final boolean iptables;

  /** For the nftables back end. */
  public ProxierMetrics(Proxier proxier) {
    this(proxier, false);
  }

  /**
   * @param iptables the proxier drives the iptables back end: failures are counted under
   *     kube-proxy's iptables-mode name {@code
   *     kubeproxy_sync_proxy_rules_iptables_restore_failures}
   */
  public ProxierMetrics(Proxier proxier, boolean iptables) {
    this.proxier = proxier;
    this.iptables = iptables;
  }

  /** kube-proxy's {@code ExponentialBuckets(0.001, 2, 15)}. */
  static Duration[] syncBuckets() {
    Duration[] b = new Duration[15];
    for (int i = 0; i < b.length; i++) {
      b[i] = Duration.ofMillis(1L << i);
    }
    return b;
  }

  /** kube-proxy's network programming buckets: 0.25, 0.5, 1..59, 60..115 by 5, 120..300 by 30. */
  static Duration[] programmingBuckets() {
    List<Duration> b = new ArrayList<>();
    b.add(Duration.ofMillis(250));
    b.add(Duration.ofMillis(500));
    for (int s = 1; s <= 59; s++) {
      b.add(Duration.ofSeconds(s));
    }
    for (int s = 60; s <= 115; s += 5) {
      b.add(Duration.ofSeconds(s));
    }
    for (int s = 120; s <= 300; s += 30) {
      b.add(Duration.ofSeconds(s));
    }
    return b.toArray(Duration[]::new);
  }

  private static Timer histogram(
      MeterRegistry registry, String name, String help, Duration[] buckets) {
    return Timer.builder(name)
        .description(help)
        .serviceLevelObjectives(buckets)
        .minimumExpectedValue(buckets[0])
        .maximumExpectedValue(buckets[buckets.length - 1])
        .register(registry);
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    gauge(
        registry,
        "kubeproxy.sync.proxy.rules.last.timestamp.seconds",
        "The last time proxy rules were successfully synced",
        s -> epochSeconds(s.lastSuccessfulSync()));
    Gauge.builder(
            "kubeproxy.sync.proxy.rules.last.queued.timestamp.seconds",
            proxier,
            p -> epochSeconds(p.health().lastQueued()))
        .description("The last time a sync of proxy rules was queued")
        .register(registry);
    FunctionCounter.builder(
            "kubeproxy.sync.proxy.rules.service.changes", proxier, Proxier::serviceChangeEvents)
        .description("Cumulative proxy rules Service changes")
        .register(registry);
    FunctionCounter.builder(
            "kubeproxy.sync.proxy.rules.endpoint.changes", proxier, Proxier::endpointChangeEvents)
        .description("Cumulative proxy rules Endpoint changes")
        .register(registry);
    FunctionCounter.builder(
            iptables
                ? "kubeproxy.sync.proxy.rules.iptables.restore.failures"
                : "kubeproxy.sync.proxy.rules.nftables.sync.failures",
            proxier,
            p -> p.stats().failedSyncs())
        .description(
            iptables
                ? "Cumulative proxy iptables restore failures"
                : "Cumulative proxy nftables sync failures")
        .register(registry);
    gauge(
        registry,
        "berth.proxy.sync.full.proxy.rules.last.timestamp.seconds",
        "when the last successful full sync finished",
        s -> epochSeconds(s.lastFullSync()));
    gauge(registry, "berth.proxy.services", "Services programmed", ProxierStats::services);
    gauge(
        registry,
        "berth.proxy.service.ports",
        "service ports (per IP family) programmed",
        ProxierStats::servicePorts);
    gauge(
        registry,
        "berth.proxy.endpoints",
        "endpoints over all service ports",
        ProxierStats::endpoints);
    gauge(
        registry,
        "berth.proxy.nftables.commands.last",
        "nft commands the last successful sync sent (0: nothing changed)",
        ProxierStats::lastCommandLines);
    FunctionCounter.builder("berth.proxy.sync.attempts", proxier, p -> p.stats().syncs())
        .description("sync attempts that reached the data plane")
        .register(registry);
    Timer all =
        histogram(
            registry,
            "kubeproxy.sync.proxy.rules.duration",
            "SyncProxyRules latency in seconds",
            syncBuckets());
    Timer full =
        histogram(
            registry,
            "kubeproxy.sync.full.proxy.rules.duration",
            "SyncProxyRules latency in seconds for full resyncs",
            syncBuckets());
    Timer partial =
        histogram(
            registry,
            "kubeproxy.sync.partial.proxy.rules.duration",
            "SyncProxyRules latency in seconds for partial resyncs",
            syncBuckets());
    Timer latency =
        histogram(
            registry,
            "kubeproxy.network.programming.duration",
            "In Cluster Network Programming Latency in seconds",
            programmingBuckets());
    proxier.addSyncListener(
        s -> {
          all.record(s.lastSyncDuration());
          if (s.lastError().isEmpty()) {
            (s.lastSyncMode().orElse(SyncMode.FULL) == SyncMode.FULL ? full : partial)
                .record(s.lastSyncDuration());
            s.networkProgrammingLatencies().forEach(latency::record);
          }
        });
  }

  private void gauge(
      MeterRegistry registry, String name, String help, ToDoubleFunction<ProxierStats> f) {
    Gauge.builder(name, proxier, p -> f.applyAsDouble(p.stats()))
        .description(help)
        .register(registry);
  }

  private static double epochSeconds(Optional<Instant> t) {
    return t.map(i -> i.getEpochSecond() + i.getNano() / 1e9).orElse(Double.NaN);
  }
}
