package io.berth.agent.proxy;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * The proxier's Micrometer meters, named after kube-proxy's {@code kubeproxy_*} metrics under
 * {@code berth_proxy_*}: sync duration (tags {@code mode}, {@code result}), network programming
 * latency, last successful sync and full sync timestamps, counts of syncs, failures, services,
 * service ports and endpoints. Gauges read {@link Proxier#stats()} at scrape time ({@code NaN}
 * before the first successful sync); timers are fed by a sync listener.
 */
public final class ProxierMetrics implements MeterBinder {
  private final Proxier proxier;

  public ProxierMetrics(Proxier proxier) {
    this.proxier = proxier;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    gauge(
        registry,
        "berth.proxy.sync.proxy.rules.last.timestamp.seconds",
        "when the last successful sync finished",
        s -> epochSeconds(s.lastSuccessfulSync()));
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
    FunctionCounter.builder("berth.proxy.sync.proxy.rules", proxier, p -> p.stats().syncs())
        .description("sync attempts that reached the data plane")
        .register(registry);
    FunctionCounter.builder(
            "berth.proxy.sync.proxy.rules.failures", proxier, p -> p.stats().failedSyncs())
        .description("failed syncs")
        .register(registry);
    Timer latency =
        Timer.builder("berth.proxy.network.programming.duration")
            .description("from an EndpointSlice change's trigger time to its rules being applied")
            .publishPercentileHistogram()
            .register(registry);
    proxier.addSyncListener(
        s -> {
          String mode = s.lastSyncMode().map(m -> m.name().toLowerCase(Locale.ROOT)).orElse("none");
          String result = s.lastError().isPresent() ? "failure" : "success";
          Timer.builder("berth.proxy.sync.proxy.rules.duration")
              .description("time one sync took (conversion + netfilter)")
              .tag("mode", mode)
              .tag("result", result)
              .register(registry)
              .record(s.lastSyncDuration());
          if (result.equals("success")) {
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
