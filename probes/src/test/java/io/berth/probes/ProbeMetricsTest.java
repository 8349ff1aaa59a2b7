package io.berth.probes;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The exposition names and labels of the probe metrics, as the kubelet publishes them. */
class ProbeMetricsTest {
  @Test
  void countsByResultWithKubeletLabelsAndDropsSeriesOfRemovedWorkers() {
    var sched = new ManualProbeScheduler(Instant.parse("2026-01-01T00:00:00Z"));
    var prober = new FakeProber(sched);
    var handler = ProbeHandler.Tcp.of(80);
    prober.then(
        handler,
        ProbeResult.success(""),
        ProbeResult.failure("refused"),
        ProbeResult.unknown("err"));
    var metrics = new ProbeMetrics();
    var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    metrics.bindTo(registry);
    var manager = new ProbeManager(prober, new ProbeResults(), metrics, sched, () -> 0L);
    manager.addContainer(
        new PodRef("uid-1", "ns", "web"),
        "app",
        ContainerProbes.none().withReadiness(ProbeSpec.of(handler).withPeriodSeconds(1)));
    manager.updateContainer("uid-1", "app", ContainerState.running("c1", sched.now(), "127.0.0.1"));
    sched.advanceSeconds(2);

    var text = registry.scrape();
    var labels =
        "container=\"app\",namespace=\"ns\",pod=\"web\",pod_uid=\"uid-1\",probe_type=\"Readiness\"";
    assertThat(text)
        .contains("# TYPE prober_probe_total counter")
        .contains("prober_probe_total{" + labels + ",result=\"successful\"} 1")
        .contains("prober_probe_total{" + labels + ",result=\"failed\"} 1")
        .contains("prober_probe_total{" + labels + ",result=\"unknown\"} 1")
        .contains("# TYPE prober_probe_duration_seconds histogram")
        .contains(
            "prober_probe_duration_seconds_count{container=\"app\",namespace=\"ns\",pod=\"web\",probe_type=\"Readiness\"} 2");

    manager.removeContainer("uid-1", "app");
    sched.runDue();
    assertThat(registry.scrape()).doesNotContain("pod=\"web\"");
  }
}
