package io.berth.netfilter.conntrack;

import static io.berth.netfilter.lab.NetnsLab.podIp;
import static io.berth.netfilter.lab.NetnsLab.podIp6;
import static io.berth.netfilter.model.Addresses.parse;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.netfilter.SyncMode;
import io.berth.netfilter.internal.LibC;
import io.berth.netfilter.internal.Native;
import io.berth.netfilter.internal.NetworkNamespace;
import io.berth.netfilter.lab.NetnsLab;
import io.berth.netfilter.lab.Sh;
import io.berth.netfilter.model.Endpoint;
import io.berth.netfilter.model.IpFamily;
import io.berth.netfilter.model.Protocol;
import io.berth.netfilter.model.ProxyConfig;
import io.berth.netfilter.model.ServiceModel;
import io.berth.netfilter.model.ServicePort;
import io.berth.netfilter.model.ServicePortName;
import io.berth.netfilter.nftables.NftablesBackend;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real UDP conntrack entries in namespaces this test creates ({@code berth-nf-ct-*}, see {@link
 * NetnsLab}): a client sends datagrams through the node namespace to echo servers in pod
 * namespaces, directly and through berth's nftables ClusterIP/NodePort; the node namespace's table
 * is checked with {@code conntrack -L} (the oracle) before and after the cleaner runs there. The
 * cleaner only ever opens its socket inside the lab's node namespace.
 */
class ConntrackCleanerIT {
  private static final Logger log = LoggerFactory.getLogger(ConntrackCleanerIT.class);
  private static final String VIP = "10.96.0.53";
  private static final String VIP2 = "10.96.0.54";
  private static final String VIP3 = "10.96.0.55";
  private static final String VIP4 = "10.96.0.56";
  private static final String VIP5 = "10.96.0.57";
  private static final int NODE_PORT = 30053;
  private static final ServicePortName DNS = new ServicePortName("kube-system", "dns", "udp");
  private static NetnsLab lab;
  private static UdpLab udp;
  private static NftablesBackend backend;
  private static ConntrackCleaner cleaner;
  private static final List<DatagramSocket> sockets = new ArrayList<>();

  @BeforeAll
  static void setUp() throws Exception {
    LibC libc = Native.loadLibC();
    NetworkNamespace namespaces = new NetworkNamespace(libc);
    lab = new NetnsLab("ct", 3);
    assertThat(lab.nodeNetns().toString()).startsWith("/run/netns/berth-nf-ct-");
    udp = new UdpLab(namespaces);
    for (int i = 1; i <= 3; i++) {
      udp.startServer(NetworkNamespace.named(lab.pod(i)), "pod" + i, 5353, 5354);
    }
    backend =
        new NftablesBackend(
            Native.loadNftables(), namespaces, Optional.of(lab.nodeNetns()), System::nanoTime);
    cleaner =
        new ConntrackCleaner(
            NetlinkConntrackTable.open(libc, namespaces, Optional.of(lab.nodeNetns()), 5000));
  }

  @AfterAll
  static void tearDown() throws Exception {
    try {
      for (DatagramSocket s : sockets) {
        s.close();
      }
      if (cleaner != null) {
        cleaner.close();
      }
      if (backend != null) {
        backend.close(); // the namespace goes away with its tables
      }
      if (udp != null) {
        udp.close();
      }
    } finally {
      if (lab != null) {
        lab.close();
      }
    }
  }

  private static Endpoint pod(int i) {
    return Endpoint.ready(parse(podIp(i)), 5353, true);
  }

  private static ServiceModel model(List<ServicePort> ports) {
    return ServiceModel.of(ProxyConfig.defaults(), ports);
  }

  private static ServicePort dns(List<Endpoint> eps) {
    return ServicePort.clusterIp(DNS, Protocol.UDP, parse(VIP), 53, eps).withNodePort(NODE_PORT);
  }

  /** Another UDP service per test, so that flows of one test never count in another. */
  private static ServicePort service(String name, String vip, List<Endpoint> eps) {
    return ServicePort.clusterIp(
        new ServicePortName("default", name, "udp"), Protocol.UDP, parse(vip), 53, eps);
  }

  private static DatagramSocket client() {
    DatagramSocket s = udp.clientSocket(NetworkNamespace.named(lab.client()));
    sockets.add(s);
    return s;
  }

  private static InetSocketAddress at(String ip, int port) {
    return new InetSocketAddress(parse(ip), port);
  }

  /** The oracle: the node namespace's UDP entries of one family as {@code conntrack -L} prints. */
  private static String conntrack(String family) {
    return Sh.check(
        "ip", "netns", "exec", lab.node(), "conntrack", "-L", "-f", family, "-p", "udp");
  }

  private static String flow(String src, int sport, String dst, int dport) {
    return "src=" + src + " dst=" + dst + " sport=" + sport + " dport=" + dport + " ";
  }

  @Test
  void deletesExactlyTheSelectedEntries() throws Exception {
    backend.sync(model(List.of(dns(List.of(pod(1), pod(2))))), SyncMode.FULL);
    String client = "192.168.77.2";
    DatagramSocket direct = client();
    DatagramSocket otherPort = client();
    DatagramSocket direct6 = client();
    DatagramSocket viaVip = client();
    DatagramSocket viaNodePort = client();
    assertThat(UdpLab.answer(direct, at(podIp(3), 5353))).contains("pod3");
    assertThat(UdpLab.answer(otherPort, at(podIp(3), 5354))).contains("pod3");
    assertThat(UdpLab.answer(direct6, at(podIp6(3), 5353))).contains("pod3");
    String vipAnswer = UdpLab.answer(viaVip, at(VIP, 53)).orElseThrow();
    assertThat(vipAnswer).isIn("pod1", "pod2");
    assertThat(UdpLab.answer(viaNodePort, at(NetnsLab.NODE_IP, NODE_PORT))).isPresent();
    String directFlow = flow(client, direct.getLocalPort(), podIp(3), 5353);
    String otherFlow = flow(client, otherPort.getLocalPort(), podIp(3), 5354);
    String direct6Flow = flow("fd00:77::2", direct6.getLocalPort(), podIp6(3), 5353);
    String vipFlow = flow(client, viaVip.getLocalPort(), VIP, 53);
    String nodePortFlow = flow(client, viaNodePort.getLocalPort(), NetnsLab.NODE_IP, NODE_PORT);
    String before = conntrack("ipv4");
    assertThat(before).contains(directFlow, otherFlow, vipFlow, nodePortFlow);
    assertThat(conntrack("ipv6")).contains(direct6Flow);

    // The decoder agrees with the oracle: every entry we list is printed by conntrack -L.
    NetlinkConntrackTable table =
        NetlinkConntrackTable.open(
            Native.loadLibC(),
            new NetworkNamespace(Native.loadLibC()),
            Optional.of(lab.nodeNetns()),
            5000);
    try (table) {
      List<ConntrackEntry> listed = table.dump(IpFamily.IPV4);
      for (ConntrackEntry e : listed.stream().filter(e -> e.protocolNumber() == 17).toList()) {
        assertThat(before).contains(e.original() + " ");
      }
      ConntrackEntry vip =
          listed.stream()
              .filter(e -> e.original().sourcePort() == viaVip.getLocalPort())
              .findFirst()
              .orElseThrow();
      assertThat(vip.reply().source()).isEqualTo(parse(podIp(vipAnswer.equals("pod1") ? 1 : 2)));
      // An entry that does not exist (here: right tuple, wrong id) is "not deleted", not an error.
      ConntrackEntry wrongId =
          new ConntrackEntry(
              vip.family(),
              vip.protocolNumber(),
              vip.original(),
              vip.reply(),
              (vip.id() + 1) & 0xFFFF_FFFFL,
              vip.zone());
      assertThat(table.delete(wrongId)).isFalse();
      assertThat(conntrack("ipv4")).contains(vipFlow);
    }

    assertThat(
            cleaner.deleteByOriginalDestination(IpFamily.IPV4, Protocol.UDP, parse(podIp(3)), 5353))
        .isEqualTo(1);
    String after = conntrack("ipv4");
    assertThat(after).doesNotContain(directFlow).contains(otherFlow, vipFlow, nodePortFlow);

    assertThat(
            cleaner.deleteByOriginalDestination(
                IpFamily.IPV6, Protocol.UDP, parse(podIp6(3)), 5353))
        .isEqualTo(1);
    assertThat(conntrack("ipv6")).doesNotContain(direct6Flow);

    String chosen = vipAnswer.equals("pod1") ? podIp(1) : podIp(2);
    String other = vipAnswer.equals("pod1") ? podIp(2) : podIp(1);
    assertThat(
            cleaner.deleteByOriginalDestinationAndReplySource(
                IpFamily.IPV4, Protocol.UDP, parse(VIP), 53, parse(other)))
        .isZero();
    assertThat(conntrack("ipv4")).contains(vipFlow);
    assertThat(
            cleaner.deleteByOriginalDestinationAndReplySource(
                IpFamily.IPV4, Protocol.UDP, parse(VIP), 53, parse(chosen)))
        .isEqualTo(1);

    assertThat(cleaner.deleteByNodePort(IpFamily.IPV4, Protocol.UDP, NODE_PORT)).isEqualTo(1);
    after = conntrack("ipv4");
    assertThat(after).doesNotContain(vipFlow, nodePortFlow).contains(otherFlow);
  }

  @Test
  void removedEndpointStopsReceivingTheFlowAfterCleanup() throws Exception {
    ServiceModel both = model(List.of(service("echo", VIP2, List.of(pod(1), pod(2)))));
    backend.sync(both, SyncMode.FULL);
    DatagramSocket s = client();
    String first = UdpLab.answer(s, at(VIP2, 53)).orElseThrow();
    assertThat(UdpLab.answer(s, at(VIP2, 53))).contains(first); // the flow sticks to one endpoint
    int gone = first.equals("pod1") ? 1 : 2;
    int stays = 3 - gone;
    ServiceModel without = model(List.of(service("echo", VIP2, List.of(pod(stays)))));
    backend.sync(without, SyncMode.INCREMENTAL);

    // The problem: the removed endpoint (still running here) keeps getting the flow.
    assertThat(UdpLab.answer(s, at(VIP2, 53))).contains(first);

    List<StaleFlow> stale = StaleUdpFlows.between(both, without);
    assertThat(stale)
        .extracting(StaleFlow::filter)
        .contains(
            FlowFilter.toDestinationViaEndpoint(Protocol.UDP, parse(VIP2), 53, parse(podIp(gone))));
    assertThat(cleaner.deleteStale(stale)).isEqualTo(1);
    assertThat(UdpLab.answer(s, at(VIP2, 53))).contains("pod" + stays);
  }

  @Test
  void serviceGainingEndpointsForgetsFlowsCreatedWithoutThem() throws Exception {
    ServiceModel none = model(List.of());
    backend.sync(none, SyncMode.FULL);
    DatagramSocket s = client();
    // No rule for the VIP yet: the datagram is routed on un-NATed and tracked as such.
    assertThat(UdpLab.ask(s, at(VIP3, 53))).isEmpty();
    String flow = flow("192.168.77.2", s.getLocalPort(), VIP3, 53);
    assertThat(conntrack("ipv4")).contains(flow);

    ServiceModel active = model(List.of(service("late", VIP3, List.of(pod(3)))));
    backend.sync(active, SyncMode.INCREMENTAL);
    // The problem: the existing entry was not NATed, so the flow stays blackholed.
    assertThat(UdpLab.ask(s, at(VIP3, 53))).isEmpty();

    List<StaleFlow> stale = StaleUdpFlows.between(none, active);
    assertThat(stale)
        .extracting(StaleFlow::reason)
        .containsOnly(StaleFlow.Reason.SERVICE_NEWLY_ACTIVE);
    assertThat(cleaner.deleteStale(stale)).isEqualTo(1);
    assertThat(UdpLab.answer(s, at(VIP3, 53))).contains("pod3");
  }

  @Test
  void rejectedServiceGainingEndpointsIsReachableFromTheSameSocket() throws Exception {
    ServiceModel rejecting = model(List.of(service("rejecting", VIP4, List.of())));
    backend.sync(rejecting, SyncMode.FULL);
    DatagramSocket s = client();
    assertThat(UdpLab.ask(s, at(VIP4, 53))).isEmpty(); // REJECT: ICMP port unreachable
    String flow = flow("192.168.77.2", s.getLocalPort(), VIP4, 53);
    // berth rejects in a filter hook before conntrack confirms the entry, so usually none is
    // left; whatever the kernel kept, the cleanup must remove exactly that.
    boolean tracked = conntrack("ipv4").contains(flow);
    log.info("a REJECTed UDP datagram left a conntrack entry: {}", tracked);

    ServiceModel active = model(List.of(service("rejecting", VIP4, List.of(pod(2)))));
    backend.sync(active, SyncMode.INCREMENTAL);
    assertThat(cleaner.deleteStale(StaleUdpFlows.between(rejecting, active)))
        .isEqualTo(tracked ? 1 : 0);
    assertThat(UdpLab.answer(s, at(VIP4, 53))).contains("pod2");
  }

  @Test
  void reconcileRepairsWithoutKnowingThePreviousModel() throws Exception {
    backend.sync(model(List.of(service("moved", VIP5, List.of(pod(1))))), SyncMode.FULL);
    DatagramSocket s = client();
    assertThat(UdpLab.answer(s, at(VIP5, 53))).contains("pod1");
    ServiceModel current = model(List.of(service("moved", VIP5, List.of(pod(3)))));
    backend.sync(current, SyncMode.INCREMENTAL);
    assertThat(UdpLab.answer(s, at(VIP5, 53))).contains("pod1"); // stale

    assertThat(cleaner.reconcile(current)).isEqualTo(1);
    assertThat(UdpLab.answer(s, at(VIP5, 53))).contains("pod3");
    assertThat(cleaner.reconcile(current)).isZero();
  }
}
