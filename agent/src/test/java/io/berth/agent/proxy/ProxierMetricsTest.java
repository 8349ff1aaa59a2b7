package io.berth.agent.proxy;

import static io.berth.agent.proxy.TestObjects.ready;
import static io.berth.agent.proxy.TestObjects.web;
import static io.berth.agent.proxy.TestObjects.webSlice;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.testing.FakeClock;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProxierMetricsTest {
  private final FakeClock clock = new FakeClock();
  private final FakeScheduler scheduler = new FakeScheduler(clock);
  private final FakeBackend backend = new FakeBackend();
  private final Proxier proxier =
      new Proxier(ProxierSettings.defaults("node-a"), backend, clock, scheduler);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @Test
  void metersFollowTheSyncs() {
    new ProxierMetrics(proxier).bindTo(registry);
    proxier.start();
    assertThat(registry.get("kubeproxy.sync.proxy.rules.last.timestamp.seconds").gauge().value())
        .isNaN();
    proxier.onServicesSynced();
    proxier.onEndpointSlicesSynced();
    proxier.onServiceAdd(web());
    EndpointSlice s = webSlice(ready("10.0.1.2", null));
    s.getMetadata()
        .setAnnotations(
            Map.of(SliceInfo.TRIGGER_TIME_ANNOTATION, clock.instant().plusSeconds(1).toString()));
    clock.advance(Duration.ofSeconds(3));
    proxier.onEndpointSliceAdd(s);
    scheduler.runDue();
    backend.failNext = 1;
    proxier.onServiceDelete(web());
    scheduler.advance(Duration.ofMillis(500)); // the failed sync; its retry comes at 1 s

    assertThat(registry.get("berth.proxy.sync.attempts").functionCounter().count()).isEqualTo(2);
    assertThat(
            registry
                .get("kubeproxy.sync.proxy.rules.nftables.sync.failures")
                .functionCounter()
                .count())
        .isEqualTo(1);
    assertThat(registry.get("berth.proxy.endpoints").gauge().value()).isEqualTo(1);
    // every attempt in the main histogram; only successes in the full/partial ones
    assertThat(registry.get("kubeproxy.sync.proxy.rules.duration").timer().count()).isEqualTo(2);
    assertThat(registry.get("kubeproxy.sync.full.proxy.rules.duration").timer().count())
        .isEqualTo(1);
    assertThat(registry.get("kubeproxy.sync.partial.proxy.rules.duration").timer().count())
        .isZero();
    assertThat(
            registry
                .get("kubeproxy.network.programming.duration")
                .timer()
                .totalTime(TimeUnit.SECONDS))
        .isEqualTo(2.0);
    assertThat(registry.get("kubeproxy.sync.proxy.rules.last.timestamp.seconds").gauge().value())
        .isEqualTo(clock.instant().minusMillis(500).getEpochSecond());
    // web added and deleted, one slice added
    assertThat(registry.get("kubeproxy.sync.proxy.rules.service.changes").functionCounter().count())
        .isEqualTo(2);
    assertThat(
            registry.get("kubeproxy.sync.proxy.rules.endpoint.changes").functionCounter().count())
        .isEqualTo(1);
    assertThat(
            registry
                .get("kubeproxy.sync.proxy.rules.last.queued.timestamp.seconds")
                .gauge()
                .value())
        .isEqualTo(clock.instant().minusMillis(500).getEpochSecond());
  }

  @Test
  void histogramsUseKubeProxysBuckets() {
    assertThat(ProxierMetrics.syncBuckets())
        .hasSize(15)
        .startsWith(Duration.ofMillis(1))
        .endsWith(Duration.ofMillis(16384));
    Duration[] p = ProxierMetrics.programmingBuckets();
    assertThat(p).hasSize(2 + 59 + 12 + 7);
    assertThat(p[0]).isEqualTo(Duration.ofMillis(250));
    assertThat(p[p.length - 1]).isEqualTo(Duration.ofSeconds(300));
  }

  @Test
  void theIptablesBackEndCountsFailuresUnderKubeProxysIptablesName() {
    new ProxierMetrics(proxier, true).bindTo(registry);
    assertThat(
            registry
                .get("kubeproxy.sync.proxy.rules.iptables.restore.failures")
                .functionCounter()
                .count())
        .isZero();
    assertThat(registry.find("kubeproxy.sync.proxy.rules.nftables.sync.failures").meters())
        .isEmpty();
  }
}
