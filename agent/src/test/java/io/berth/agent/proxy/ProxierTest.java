package io.berth.agent.proxy;

import static io.berth.agent.proxy.TestObjects.ready;
import static io.berth.agent.proxy.TestObjects.service;
import static io.berth.agent.proxy.TestObjects.web;
import static io.berth.agent.proxy.TestObjects.webSlice;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.testing.FakeClock;
import io.berth.netfilter.SyncMode;
import io.berth.netfilter.model.Addresses;
import io.berth.netfilter.model.Endpoint;
import io.berth.netfilter.model.IpFamily;
import io.berth.netfilter.model.ProxyConfig;
import io.berth.netfilter.model.ServicePort;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxier against a fake back end, on a fake clock. */
class ProxierTest {
  private final FakeClock clock = new FakeClock();
  private final FakeScheduler scheduler = new FakeScheduler(clock);
  private final FakeBackend backend = new FakeBackend();
  private final ProxierSettings settings =
      new ProxierSettings(
          "node-a",
          Optional.of("berth"),
          ProxyConfig.defaults(),
          Duration.ofSeconds(1),
          2,
          Duration.ofSeconds(30),
          Duration.ofMinutes(5),
          Duration.ofSeconds(1));
  private final Proxier proxier = new Proxier(settings, backend, clock, scheduler);

  @BeforeEach
  void start() {
    proxier.start();
  }

  private void synced() {
    proxier.onServicesSynced();
    proxier.onEndpointSlicesSynced();
  }

  private static Endpoint ep(String ip, boolean local) {
    return Endpoint.ready(Addresses.parse(ip), 8080, local);
  }

  private List<Endpoint> lastEndpoints() {
    return backend.last().model().ports().getFirst().endpoints();
  }

  @Test
  void nothingIsProgrammedBeforeBothSourcesSynced() {
    proxier.onServiceAdd(web());
    proxier.onServicesSynced();
    scheduler.advance(Duration.ofMinutes(1));
    assertThat(backend.calls).isEmpty();

    proxier.onEndpointSlicesSynced();
    scheduler.runDue();

    assertThat(backend.modes()).containsExactly(SyncMode.FULL);
  }

  @Test
  void firstSyncIsFullThenIncrementalWithEndpointsMatchedByPortName() {
    proxier.onServiceAdd(web());
    proxier.onEndpointSliceAdd(webSlice(ready("10.0.1.2", "node-a"), ready("10.0.1.3", "node-b")));
    synced();
    scheduler.runDue();
    assertThat(lastEndpoints()).containsExactly(ep("10.0.1.2", true), ep("10.0.1.3", false));

    proxier.onEndpointSliceUpdate(null, webSlice(ready("10.0.1.2", "node-a")));
    scheduler.runDue();

    assertThat(backend.modes()).containsExactly(SyncMode.FULL, SyncMode.INCREMENTAL);
    assertThat(lastEndpoints()).containsExactly(ep("10.0.1.2", true));
    ProxierStats s = proxier.stats();
    assertThat(s.syncs()).isEqualTo(2);
    assertThat(s.fullSyncs()).isEqualTo(1);
    assertThat(s.services()).isEqualTo(1);
    assertThat(s.servicePorts()).isEqualTo(1);
    assertThat(s.endpoints()).isEqualTo(1);
    assertThat(s.lastSuccessfulSync()).contains(clock.instant());
  }

  @Test
  void dualStackServiceGetsEndpointsOfEachFamily() {
    Service svc =
        service("web", "10.96.0.10")
            .editSpec()
            .withClusterIPs("10.96.0.10", "fd00:96::10")
            .endSpec()
            .build();
    EndpointSlice v6 =
        new EndpointSliceBuilder(webSlice(ready("fd00:1::2", null)))
            .editMetadata()
            .withName("web-v6")
            .endMetadata()
            .withAddressType("IPv6")
            .build();
    proxier.onServiceAdd(svc);
    proxier.onEndpointSliceAdd(webSlice(ready("10.0.1.2", null)));
    proxier.onEndpointSliceAdd(v6);
    synced();
    scheduler.runDue();

    List<ServicePort> ports = backend.last().model().ports();
    assertThat(ports).extracting(ServicePort::family).containsExactly(IpFamily.IPV4, IpFamily.IPV6);
    assertThat(ports.get(0).endpoints())
        .extracting(e -> e.address().getHostAddress())
        .containsExactly("10.0.1.2");
    assertThat(ports.get(1).endpoints())
        .extracting(e -> Addresses.text(e.address()))
        .containsExactly("fd00:1:0:0:0:0:0:2");
  }

  @Test
  void aChangeRevertedWithinTheIntervalSyncsNothing() {
    proxier.onServiceAdd(web());
    synced();
    scheduler.runDue();
    Service moved = service("web", "10.96.0.11").build();

    proxier.onServiceUpdate(web(), moved);
    proxier.onServiceUpdate(moved, web());
    scheduler.advance(Duration.ofSeconds(2));

    assertThat(backend.calls).hasSize(1);
  }

  @Test
  void failedSyncIsRetriedWithBackoffAsAFullSync() {
    proxier.onServiceAdd(web());
    synced();
    scheduler.runDue();
    backend.failNext = 2;

    proxier.onServiceDelete(web());
    scheduler.runDue(); // fails: retry in 1 s
    assertThat(proxier.stats().lastError())
        .hasValueSatisfying(e -> assertThat(e).contains("default/web:http IPV4"));
    scheduler.advance(Duration.ofSeconds(1)); // fails again: retry in 2 s
    scheduler.advance(Duration.ofMillis(1999));
    assertThat(backend.calls).hasSize(3);
    scheduler.advance(Duration.ofMillis(1));

    assertThat(backend.modes())
        .containsExactly(SyncMode.FULL, SyncMode.INCREMENTAL, SyncMode.FULL, SyncMode.FULL);
    assertThat(backend.last().model().ports()).isEmpty();
    assertThat(proxier.stats().failedSyncs()).isEqualTo(2);
    assertThat(proxier.stats().lastError()).isEmpty();
  }

  @Test
  void periodicSyncBecomesFullAfterFullSyncPeriod() {
    proxier.onServiceAdd(web());
    synced();
    scheduler.runDue();
    proxier.onEndpointSliceAdd(webSlice(ready("10.0.1.2", null)));
    scheduler.advance(Duration.ofSeconds(1));
    scheduler.advance(Duration.ofMinutes(5));

    // incremental for the slice; periodic runs every 30 s without changes send nothing until the
    // full sync period has passed since the first full sync.
    assertThat(backend.modes()).containsExactly(SyncMode.FULL, SyncMode.INCREMENTAL, SyncMode.FULL);
  }

  @Test
  void networkProgrammingLatencyComesFromTheSliceTriggerTime() {
    proxier.onServiceAdd(web());
    synced();
    scheduler.runDue();
    clock.advance(Duration.ofSeconds(10));
    Instant trigger = clock.instant().minusMillis(250);
    EndpointSlice s = webSlice(ready("10.0.1.2", null));
    s.getMetadata().setAnnotations(Map.of(SliceInfo.TRIGGER_TIME_ANNOTATION, trigger.toString()));

    proxier.onEndpointSliceAdd(s);
    scheduler.runDue();

    assertThat(proxier.stats().networkProgrammingLatencies())
        .containsExactly(Duration.ofMillis(250));
  }

  @Test
  void healthzTurnsUnhealthyWhenAQueuedChangeIsNotAppliedInTwiceTheSyncPeriod() {
    proxier.onServiceAdd(web());
    synced();
    scheduler.runDue();
    assertThat(proxier.health().status().httpStatus()).isEqualTo(200);
    backend.failNext = 1_000;

    proxier.onServiceDelete(web());
    scheduler.advance(Duration.ofSeconds(60));
    assertThat(proxier.health().status().healthy()).isTrue();
    scheduler.advance(Duration.ofSeconds(1));

    ProxyHealth.Status st = proxier.health().status();
    assertThat(st.httpStatus()).isEqualTo(503);
    assertThat(st.json()).contains("\"lastUpdated\": \"2026-01-01T00:00:00Z\"");
    backend.failNext = 0;
    scheduler.advance(Duration.ofSeconds(30));
    assertThat(proxier.health().status().healthy()).isTrue();
  }

  @Test
  void aServiceStealingAnotherOnesFrontendDoesNotBlockSyncs() {
    proxier.onServiceAdd(web());
    proxier.onServiceAdd(service("api", "10.96.0.10").build()); // same VIP and port as web
    proxier.onServiceAdd(service("db", "10.96.0.20").build());
    synced();
    scheduler.runDue();

    assertThat(proxier.stats().failedSyncs()).isZero();
    assertThat(backend.last().model().ports())
        .extracting(p -> p.name().name())
        .containsExactly("api", "db"); // default/api:http comes first and keeps the VIP
  }

  @Test
  void aSliceRelabelledToAnotherServiceStopsFeedingTheOldOne() {
    proxier.onServiceAdd(web());
    proxier.onServiceAdd(service("api", "10.96.0.20").build());
    EndpointSlice slice = webSlice(ready("10.0.1.2", null));
    proxier.onEndpointSliceAdd(slice);
    synced();
    scheduler.runDue();
    EndpointSlice moved =
        new EndpointSliceBuilder(slice)
            .editMetadata()
            .addToLabels(SliceInfo.SERVICE_NAME_LABEL, "api")
            .endMetadata()
            .build();

    proxier.onEndpointSliceUpdate(slice, moved);
    scheduler.runDue();

    assertThat(backend.last().model().ports())
        .extracting(p -> p.name().name() + "=" + p.endpoints().size())
        .containsExactly("api=1", "web=0");
  }

  private static io.fabric8.kubernetes.api.model.discovery.v1.Endpoint hinted(
      String ip, String node, String zone) {
    return new io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder(ready(ip, node))
        .withNewHints()
        .addNewForZone(zone)
        .endHints()
        .build();
  }

  @Test
  void theNodesZoneLabelMakesZoneHintsApplyAndAChangeOfZoneResyncsFully() {
    proxier.onServiceAdd(web());
    proxier.onEndpointSliceAdd(
        webSlice(
            hinted("10.0.1.2", "node-b", "zone-a"),
            hinted("10.0.1.3", "node-c", "zone-a"),
            hinted("10.0.2.2", "node-d", "zone-b")));
    proxier.onNodeLabels(Map.of(Proxier.ZONE_LABEL, "zone-b"));
    synced();
    scheduler.runDue();

    ServicePort port = backend.last().model().ports().getFirst();
    assertThat(port.endpoints()).hasSize(3);
    assertThat(port.endpoints().getFirst().zoneHints()).containsExactly("zone-a");
    assertThat(backend.last().model().config().nodeZone()).isEqualTo("zone-b");
    assertThat(
            io.berth.netfilter.model.EndpointSelection.select(
                port.endpoints(), port.internalTrafficPolicy(), "zone-b"))
        .extracting(e -> e.address().getHostAddress())
        .containsExactly("10.0.2.2");

    proxier.onNodeLabels(Map.of(Proxier.ZONE_LABEL, "zone-a", "other", "x"));
    scheduler.advance(Duration.ofSeconds(2));
    assertThat(backend.modes()).containsExactly(SyncMode.FULL, SyncMode.FULL);
    assertThat(backend.last().model().config().nodeZone()).isEqualTo("zone-a");

    proxier.onNodeLabels(Map.of(Proxier.ZONE_LABEL, "zone-a"));
    scheduler.advance(Duration.ofSeconds(2));
    assertThat(backend.modes()).as("same zone: no sync").hasSize(2);
  }
}
