package io.berth.netfilter.conntrack;

import static io.berth.netfilter.model.Addresses.parse;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.netfilter.model.Endpoint;
import io.berth.netfilter.model.Protocol;
import io.berth.netfilter.model.ProxyConfig;
import io.berth.netfilter.model.ServiceModel;
import io.berth.netfilter.model.ServicePort;
import io.berth.netfilter.model.ServicePortName;
import io.berth.netfilter.model.TrafficPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

class StaleUdpFlowsTest {
  private static final ServicePortName DNS = new ServicePortName("kube-system", "dns", "udp");

  private static Endpoint ep(String ip) {
    return Endpoint.ready(parse(ip), 5353, true);
  }

  private static ServicePort dns(Protocol protocol, List<Endpoint> eps) {
    return ServicePort.clusterIp(DNS, protocol, parse("10.96.0.53"), 53, eps);
  }

  private static ServicePort dns(List<Endpoint> eps) {
    return dns(Protocol.UDP, eps);
  }

  private static ServiceModel model(ServicePort... ports) {
    return ServiceModel.of(ProxyConfig.defaults(), List.of(ports));
  }

  private static List<String> stale(ServiceModel before, ServiceModel after) {
    return StaleUdpFlows.between(before, after).stream().map(StaleFlow::toString).toList();
  }

  @Test
  void endpointRemovedClearsItsFlowsToEveryFrontend() {
    ServicePort before =
        dns(List.of(ep("10.0.1.2"), ep("10.0.1.3")))
            .withNodePort(30053)
            .withExternal(
                List.of(parse("192.168.77.100")),
                List.of(parse("203.0.113.7")),
                TrafficPolicy.CLUSTER);
    ServicePort after = before.withEndpoints(List.of(ep("10.0.1.3")));
    assertThat(stale(model(before), model(after)))
        .containsExactly(
            "kube-system/dns:udp ENDPOINT_REMOVED (endpoint 10.0.1.2:5353): ipv4 udp --orig-port-dst"
                + " 30053 --reply-src 10.0.1.2",
            "kube-system/dns:udp ENDPOINT_REMOVED (endpoint 10.0.1.2:5353): ipv4 udp --orig-dst"
                + " 10.96.0.53 --orig-port-dst 53 --reply-src 10.0.1.2",
            "kube-system/dns:udp ENDPOINT_REMOVED (endpoint 10.0.1.2:5353): ipv4 udp --orig-dst"
                + " 192.168.77.100 --orig-port-dst 53 --reply-src 10.0.1.2",
            "kube-system/dns:udp ENDPOINT_REMOVED (endpoint 10.0.1.2:5353): ipv4 udp --orig-dst"
                + " 203.0.113.7 --orig-port-dst 53 --reply-src 10.0.1.2");
  }

  @Test
  void endpointThatStopsServingCountsAsRemoved() {
    ServicePort before = dns(List.of(ep("10.0.1.2"), ep("10.0.1.3")));
    Endpoint notServing = new Endpoint(parse("10.0.1.2"), 5353, false, false, true, true);
    ServicePort after = before.withEndpoints(List.of(notServing, ep("10.0.1.3")));
    assertThat(StaleUdpFlows.between(model(before), model(after)))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.reason()).isEqualTo(StaleFlow.Reason.ENDPOINT_REMOVED);
              assertThat(f.filter())
                  .isEqualTo(
                      FlowFilter.toDestinationViaEndpoint(
                          Protocol.UDP, parse("10.96.0.53"), 53, parse("10.0.1.2")));
            });
  }

  @Test
  void terminatingButServingEndpointIsNotStaleNorIsAnUnchangedOne() {
    ServicePort before = dns(List.of(ep("10.0.1.2"), ep("10.0.1.3")));
    Endpoint terminating = new Endpoint(parse("10.0.1.2"), 5353, false, true, true, true);
    ServicePort after = before.withEndpoints(List.of(terminating, ep("10.0.1.3")));
    assertThat(StaleUdpFlows.between(model(before), model(after))).isEmpty();
    assertThat(StaleUdpFlows.between(model(before), model(before))).isEmpty();
  }

  @Test
  void endpointMovingToAnotherPortIsRemoved() {
    ServicePort before = dns(List.of(ep("10.0.1.2")));
    ServicePort after =
        before.withEndpoints(List.of(Endpoint.ready(parse("10.0.1.2"), 5354, true)));
    assertThat(stale(model(before), model(after)))
        .containsExactly(
            "kube-system/dns:udp ENDPOINT_REMOVED (endpoint 10.0.1.2:5353): ipv4 udp --orig-dst"
                + " 10.96.0.53 --orig-port-dst 53 --reply-src 10.0.1.2");
  }

  @Test
  void serviceGainingItsFirstEndpointForgetsRejectedFlows() {
    ServicePort before = dns(List.of()).withNodePort(30053);
    ServicePort after = before.withEndpoints(List.of(ep("10.0.1.2")));
    assertThat(stale(model(before), model(after)))
        .containsExactly(
            "kube-system/dns:udp SERVICE_NEWLY_ACTIVE: ipv4 udp --orig-port-dst 30053",
            "kube-system/dns:udp SERVICE_NEWLY_ACTIVE: ipv4 udp --orig-dst 10.96.0.53"
                + " --orig-port-dst 53");
  }

  @Test
  void newServiceWithEndpointsIsNewlyActiveButNotWithoutEndpoints() {
    assertThat(stale(model(), model(dns(List.of(ep("10.0.1.2"))))))
        .containsExactly(
            "kube-system/dns:udp SERVICE_NEWLY_ACTIVE: ipv4 udp --orig-dst 10.96.0.53"
                + " --orig-port-dst 53");
    assertThat(StaleUdpFlows.between(model(), model(dns(List.of())))).isEmpty();
  }

  @Test
  void lastEndpointRemovedClearsItsFlowsOnly() {
    ServicePort before = dns(List.of(ep("10.0.1.2")));
    assertThat(stale(model(before), model(before.withEndpoints(List.of()))))
        .containsExactly(
            "kube-system/dns:udp ENDPOINT_REMOVED (endpoint 10.0.1.2:5353): ipv4 udp --orig-dst"
                + " 10.96.0.53 --orig-port-dst 53 --reply-src 10.0.1.2");
  }

  @Test
  void removedServiceClearsItsClusterIpPort() {
    assertThat(stale(model(dns(List.of(ep("10.0.1.2")))), model()))
        .containsExactly(
            "kube-system/dns:udp SERVICE_REMOVED: ipv4 udp --orig-dst 10.96.0.53 --orig-port-dst 53");
  }

  @Test
  void tcpIsIgnoredAndAProtocolChangeCountsAsRemovalPlusNewService() {
    ServicePort tcp = dns(Protocol.TCP, List.of(ep("10.0.1.2")));
    assertThat(StaleUdpFlows.between(model(tcp), model(tcp.withEndpoints(List.of())))).isEmpty();
    assertThat(StaleUdpFlows.between(model(), model(tcp))).isEmpty();
    ServicePort udp = dns(List.of(ep("10.0.1.2")));
    assertThat(stale(model(udp), model(tcp)))
        .containsExactly(
            "kube-system/dns:udp SERVICE_REMOVED: ipv4 udp --orig-dst 10.96.0.53 --orig-port-dst 53");
    assertThat(stale(model(tcp), model(udp)))
        .containsExactly(
            "kube-system/dns:udp SERVICE_NEWLY_ACTIVE: ipv4 udp --orig-dst 10.96.0.53"
                + " --orig-port-dst 53");
  }

  @Test
  void dualStackServiceYieldsOneFilterPerFamily() {
    ServicePort v4 = dns(List.of(ep("10.0.1.2"), ep("10.0.1.3")));
    ServicePort v6 =
        ServicePort.clusterIp(
            DNS,
            Protocol.UDP,
            parse("fd00:96::35"),
            53,
            List.of(
                Endpoint.ready(parse("fd00:1::2"), 5353, true),
                Endpoint.ready(parse("fd00:1::3"), 5353, true)));
    ServiceModel before = model(v4, v6);
    ServiceModel after =
        model(
            v4.withEndpoints(List.of(ep("10.0.1.3"))),
            v6.withEndpoints(List.of(Endpoint.ready(parse("fd00:1::3"), 5353, true))));
    assertThat(StaleUdpFlows.between(before, after))
        .extracting(StaleFlow::filter)
        .containsExactly(
            FlowFilter.toDestinationViaEndpoint(
                Protocol.UDP, parse("10.96.0.53"), 53, parse("10.0.1.2")),
            FlowFilter.toDestinationViaEndpoint(
                Protocol.UDP, parse("fd00:96::35"), 53, parse("fd00:1::2")));
  }

  private static ConntrackEntry entry(int proto, String dst, int dport, String replySource) {
    String client = dst.contains(":") ? "fd00:77::2" : "192.168.77.2";
    return new ConntrackEntry(
        io.berth.netfilter.model.IpFamily.of(parse(dst)),
        proto,
        new FlowTuple(parse(client), parse(dst), 40000, dport),
        new FlowTuple(parse(replySource), parse(client), 5353, 40000),
        1,
        0);
  }

  @Test
  void reconcileFindsFlowsWhoseReplySourceIsNoServingEndpoint() {
    ServicePort svc =
        dns(List.of(
                ep("10.0.1.3"), new Endpoint(parse("10.0.1.4"), 5353, false, false, false, true)))
            .withNodePort(30053);
    ServicePort empty =
        ServicePort.clusterIp(
            new ServicePortName("default", "empty", "udp"),
            Protocol.UDP,
            parse("10.96.0.99"),
            53,
            List.of());
    ConntrackEntry toGone = entry(17, "10.96.0.53", 53, "10.0.1.2");
    ConntrackEntry toServing = entry(17, "10.96.0.53", 53, "10.0.1.3");
    ConntrackEntry toNotServing = entry(17, "10.96.0.53", 53, "10.0.1.4");
    ConntrackEntry unNated = entry(17, "10.96.0.53", 53, "10.96.0.53");
    ConntrackEntry otherPort = entry(17, "10.96.0.53", 54, "10.0.1.2");
    ConntrackEntry tcp = entry(6, "10.96.0.53", 53, "10.0.1.2");
    ConntrackEntry nodePortGone = entry(17, "192.168.77.1", 30053, "10.0.1.2");
    ConntrackEntry nodePortOk = entry(17, "192.168.77.1", 30053, "10.0.1.3");
    ConntrackEntry noEndpoints = entry(17, "10.96.0.99", 53, "10.96.0.99");
    List<ConntrackEntry> table =
        List.of(
            toGone,
            toServing,
            toNotServing,
            unNated,
            otherPort,
            tcp,
            nodePortGone,
            nodePortOk,
            noEndpoints);
    assertThat(StaleUdpFlows.staleEntries(model(svc, empty), table))
        .extracting(StaleUdpFlows.StaleEntry::entry)
        .containsExactly(toGone, toNotServing, unNated, nodePortGone);
    assertThat(StaleUdpFlows.staleEntries(model(svc), List.of(nodePortGone)))
        .singleElement()
        .extracting(StaleUdpFlows.StaleEntry::why)
        .isEqualTo("kube-system/dns:udp node port: reply source is not a serving endpoint");
  }

  @Test
  void reconcileThroughTheCleanerDeletesTheStaleEntriesOnly() throws Exception {
    FakeConntrackTable table = new FakeConntrackTable();
    ConntrackEntry stale = entry(17, "10.96.0.53", 53, "10.0.1.2");
    ConntrackEntry ok = entry(17, "10.96.0.53", 53, "10.0.1.3");
    table.entries.addAll(List.of(stale, ok));
    try (ConntrackCleaner cleaner = new ConntrackCleaner(table)) {
      assertThat(cleaner.reconcile(model(dns(List.of(ep("10.0.1.3")))))).isEqualTo(1);
    }
    assertThat(table.deleted).containsExactly(stale);
    assertThat(table.dumps).isEqualTo(1); // no IPv6 service port, no IPv6 dump
  }
}
