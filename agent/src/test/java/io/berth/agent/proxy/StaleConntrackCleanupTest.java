package io.berth.agent.proxy;

import static io.berth.netfilter.model.Addresses.parse;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.testing.FakeClock;
import io.berth.netfilter.SyncMode;
import io.berth.netfilter.conntrack.ConntrackCleaner;
import io.berth.netfilter.conntrack.ConntrackEntry;
import io.berth.netfilter.conntrack.ConntrackTable;
import io.berth.netfilter.conntrack.FlowTuple;
import io.berth.netfilter.model.IpFamily;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The proxier's after-sync step deletes exactly the UDP flows of an endpoint that went away. */
class StaleConntrackCleanupTest {
  private final FakeClock clock = new FakeClock();
  private final FakeScheduler scheduler = new FakeScheduler(clock);
  private final FakeBackend backend = new FakeBackend();
  private final InMemoryTable table = new InMemoryTable();
  private final Proxier proxier =
      new Proxier(ProxierSettings.defaults("node-a"), backend, clock, scheduler);

  /** A conntrack table in memory: dump returns the entries, delete removes one. */
  static final class InMemoryTable implements ConntrackTable {
    final List<ConntrackEntry> entries = new ArrayList<>();

    @Override
    public synchronized List<ConntrackEntry> dump(IpFamily family) {
      return entries.stream().filter(e -> e.family() == family).toList();
    }

    @Override
    public synchronized boolean delete(ConntrackEntry entry) {
      return entries.remove(entry);
    }

    @Override
    public String describe() {
      return "in-memory conntrack table";
    }

    @Override
    public void close() {}
  }

  private static Service dns() {
    return new ServiceBuilder()
        .withNewMetadata()
        .withNamespace("default")
        .withName("dns")
        .endMetadata()
        .withNewSpec()
        .withType("ClusterIP")
        .withClusterIP("10.96.0.53")
        .withClusterIPs("10.96.0.53")
        .addNewPort()
        .withName("dns")
        .withProtocol("UDP")
        .withPort(53)
        .endPort()
        .endSpec()
        .build();
  }

  private static EndpointSlice slice(String... ips) {
    List<Endpoint> eps = new ArrayList<>();
    for (String ip : ips) {
      eps.add(TestObjects.ready(ip, "node-a"));
    }
    return new EndpointSliceBuilder(TestObjects.slice("dns", "dns-1").build())
        .withPorts(
            new EndpointPortBuilder().withName("dns").withProtocol("UDP").withPort(5353).build())
        .withEndpoints(eps)
        .build();
  }

  /** A client's UDP flow to the VIP that was DNATed to {@code endpoint}. */
  private static ConntrackEntry flow(String client, int clientPort, String endpoint, long id) {
    return new ConntrackEntry(
        IpFamily.IPV4,
        17,
        new FlowTuple(parse(client), parse("10.96.0.53"), clientPort, 53),
        new FlowTuple(parse(endpoint), parse(client), 5353, clientPort),
        id,
        0);
  }

  @Test
  void anEndpointLeavingAUdpServiceTakesOnlyItsFlowsWithIt() {
    proxier.addAppliedListener(new StaleConntrackCleanup(new ConntrackCleaner(table)));
    proxier.start();
    ConntrackEntry viaA = flow("10.0.0.9", 40000, "10.0.1.2", 1);
    ConntrackEntry viaB = flow("10.0.0.9", 40001, "10.0.1.3", 2);
    table.entries.addAll(List.of(viaA, viaB));
    proxier.onServiceAdd(dns());
    EndpointSlice both = slice("10.0.1.2", "10.0.1.3");
    proxier.onEndpointSliceAdd(both);
    proxier.onServicesSynced();
    proxier.onEndpointSlicesSynced();
    scheduler.runDue(); // full sync: reconcile finds both flows on live endpoints
    assertThat(table.entries).containsExactly(viaA, viaB);

    proxier.onEndpointSliceUpdate(both, slice("10.0.1.3"));
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(backend.modes()).hasSize(2);
    assertThat(table.entries).containsExactly(viaB);
  }

  @Test
  void theLastEndpointLeavingInAFullSyncStillTakesItsFlowsWithIt() {
    proxier.addAppliedListener(new StaleConntrackCleanup(new ConntrackCleaner(table)));
    proxier.start();
    ConntrackEntry viaA = flow("10.0.0.9", 40000, "10.0.1.2", 1);
    table.entries.add(viaA);
    proxier.onServiceAdd(dns());
    EndpointSlice onlyA = slice("10.0.1.2");
    proxier.onEndpointSliceAdd(onlyA);
    proxier.onServicesSynced();
    proxier.onEndpointSlicesSynced();
    scheduler.runDue();
    assertThat(table.entries).containsExactly(viaA);

    clock.advance(Duration.ofSeconds(31)); // past fullSyncPeriod: the next sync is a full one
    proxier.onEndpointSliceUpdate(onlyA, slice());
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(backend.modes()).containsExactly(SyncMode.FULL, SyncMode.FULL);
    assertThat(table.entries).isEmpty();
  }

  @Test
  void aFullSyncRemovesFlowsToEndpointsTheModelNoLongerHas() {
    proxier.addAppliedListener(new StaleConntrackCleanup(new ConntrackCleaner(table)));
    proxier.start();
    ConntrackEntry stale = flow("10.0.0.9", 40000, "10.0.1.7", 3); // e.g. from before a restart
    ConntrackEntry live = flow("10.0.0.9", 40001, "10.0.1.3", 4);
    table.entries.addAll(List.of(stale, live));
    proxier.onServiceAdd(dns());
    proxier.onEndpointSliceAdd(slice("10.0.1.3"));
    proxier.onServicesSynced();
    proxier.onEndpointSlicesSynced();
    scheduler.runDue();
    assertThat(table.entries).containsExactly(live);
  }
}
