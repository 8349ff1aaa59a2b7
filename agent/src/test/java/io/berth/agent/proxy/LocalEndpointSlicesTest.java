package io.berth.agent.proxy;

import static io.berth.agent.proxy.FakePods.named;
import static io.berth.agent.proxy.FakePods.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.testing.FakeClock;
import io.berth.netfilter.model.Endpoint;
import io.berth.netfilter.model.ServicePort;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LocalEndpointSlicesTest {
  private final FakeClock clock = new FakeClock();
  private final FakePods pods = new FakePods();
  private final RecordingHandler downstream = new RecordingHandler();
  private final LocalEndpointSlices local =
      new LocalEndpointSlices(downstream, pods, "node-a", clock);

  private static Service web() {
    return new ServiceBuilder(TestObjects.web())
        .editSpec()
        .addToSelector("app", "web")
        .editFirstPort()
        .withTargetPort(named("http"))
        .endPort()
        .endSpec()
        .build();
  }

  @Test
  void slicesFollowThePodsAndAreSentOnlyWhenTheyChange() {
    local.onServiceAdd(web());
    local.onServicesSynced();
    local.onEndpointSlicesSynced();
    assertThat(downstream.take())
        .containsExactly("add Service default/web", "services synced", "endpointslices synced");

    pods.put(pod("a", "10.0.1.2", false).build());
    local.resync();
    assertThat(downstream.take()).containsExactly("add EndpointSlice default/web-berth-v4");
    local.resync();
    assertThat(downstream.take()).isEmpty(); // nothing changed, nothing sent

    pods.put(pod("a", "10.0.1.2", true).build()); // became ready
    local.resync();
    assertThat(downstream.take()).containsExactly("update EndpointSlice default/web-berth-v4");

    pods.remove("uid-a");
    local.resync();
    assertThat(downstream.take()).containsExactly("delete EndpointSlice default/web-berth-v4");
  }

  @Test
  void aSliceFromTheSourceReplacesTheGeneratedOnesAndTheirRemovalBringsThemBack() {
    pods.put(pod("a", "10.0.1.2", true).build());
    local.onServiceAdd(web());
    downstream.take();
    assertThat(local.generatedSlices()).hasSize(1);

    var fileSlice = TestObjects.webSlice(TestObjects.ready("10.0.9.9", null));
    local.onEndpointSliceAdd(fileSlice);
    assertThat(downstream.take())
        .containsExactly(
            "add EndpointSlice default/" + fileSlice.getMetadata().getName(),
            "delete EndpointSlice default/web-berth-v4");
    local.onEndpointSliceDelete(fileSlice);
    assertThat(downstream.take())
        .containsExactly(
            "delete EndpointSlice default/" + fileSlice.getMetadata().getName(),
            "add EndpointSlice default/web-berth-v4");

    local.onServiceDelete(web());
    assertThat(downstream.take())
        .containsExactly("delete Service default/web", "delete EndpointSlice default/web-berth-v4");
  }

  @Test
  void slicesAreReportedSyncedOnlyOnceThePodsAreOrAfterTheMaximumWait() {
    pods.synced = false;
    local.onServicesSynced();
    local.onEndpointSlicesSynced();
    assertThat(downstream.take()).containsExactly("services synced");
    clock.advance(Duration.ofSeconds(5));
    local.resync();
    assertThat(downstream.take()).isEmpty();
    pods.synced = true;
    local.resync();
    assertThat(downstream.take()).containsExactly("endpointslices synced");

    LocalEndpointSlices stuck =
        new LocalEndpointSlices(
            downstream,
            new FakePods() {
              @Override
              public synchronized boolean synced() {
                return false;
              }
            },
            "node-a",
            clock);
    stuck.onEndpointSlicesSynced();
    clock.advance(LocalEndpointSlices.MAX_POD_SYNC_WAIT);
    stuck.resync();
    assertThat(downstream.take()).containsExactly("endpointslices synced");
  }

  @Test
  void throughTheProxierAPodBecomesAnEndpointAndATerminatingPodOnlyAFallback() {
    FakeScheduler scheduler = new FakeScheduler(clock);
    FakeBackend backend = new FakeBackend();
    Proxier proxier = new Proxier(ProxierSettings.defaults("node-a"), backend, clock, scheduler);
    proxier.start();
    LocalEndpointSlices chain = new LocalEndpointSlices(proxier, pods, "node-a", clock);
    pods.put(pod("a", "10.0.1.2", true).build());
    pods.put(pod("b", "10.0.1.3", true).build());
    chain.onServiceAdd(web());
    chain.onServicesSynced();
    chain.onEndpointSlicesSynced();
    scheduler.runDue();
    assertThat(endpoints(backend))
        .containsExactly("10.0.1.2:8080 ready local", "10.0.1.3:8080 ready local");

    pods.terminating.add("uid-b"); // its manifest was removed; berth is stopping it
    clock.advance(Duration.ofSeconds(2));
    chain.resync();
    scheduler.advance(Duration.ofSeconds(2));
    assertThat(endpoints(backend))
        .containsExactly("10.0.1.2:8080 ready local", "10.0.1.3:8080 serving terminating local");
    // the change's trigger time became a network programming latency
    assertThat(proxier.stats().networkProgrammingLatencies()).isNotEmpty();
  }

  private static List<String> endpoints(FakeBackend backend) {
    ServicePort p = backend.last().model().ports().getFirst();
    return p.endpoints().stream().map(LocalEndpointSlicesTest::text).toList();
  }

  private static String text(Endpoint e) {
    return e.address().getHostAddress()
        + ":"
        + e.port()
        + (e.ready() ? " ready" : "")
        + (!e.ready() && e.serving() ? " serving" : "")
        + (e.terminating() ? " terminating" : "")
        + (e.local() ? " local" : "");
  }
}
