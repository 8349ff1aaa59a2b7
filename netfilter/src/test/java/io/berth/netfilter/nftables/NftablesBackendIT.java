package io.berth.netfilter.nftables;

import static io.berth.netfilter.lab.NetnsLab.podIp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.netfilter.SyncMode;
import io.berth.netfilter.SyncResult;
import io.berth.netfilter.TransactionFailedException;
import io.berth.netfilter.internal.Native;
import io.berth.netfilter.internal.NetworkNamespace;
import io.berth.netfilter.lab.LabServices;
import io.berth.netfilter.lab.NetnsLab;
import io.berth.netfilter.lab.Sh;
import io.berth.netfilter.model.Addresses;
import io.berth.netfilter.model.Endpoint;
import io.berth.netfilter.model.Protocol;
import io.berth.netfilter.model.ServiceModel;
import io.berth.netfilter.model.ServicePort;
import io.berth.netfilter.model.ServicePortName;
import io.berth.netfilter.model.SessionAffinity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real traffic through berth's nftables rules, in namespaces this test creates (see {@link
 * NetnsLab}): HTTP from a client namespace to a ClusterIP and a NodePort, served by busybox httpd
 * in three pod namespaces.
 */
class NftablesBackendIT {
  private static final String VIP = "10.96.0.10";
  private static NetnsLab lab;
  private static NftablesBackend backend;

  @BeforeAll
  static void setUp() throws Exception {
    lab = new NetnsLab("it", 3);
    backend =
        new NftablesBackend(
            Native.loadNftables(),
            new NetworkNamespace(Native.loadLibC()),
            Optional.of(lab.nodeNetns()),
            System::nanoTime);
  }

  @AfterAll
  static void tearDown() throws Exception {
    try {
      if (backend != null) {
        backend.cleanup();
        backend.close();
      }
    } finally {
      if (lab != null) {
        lab.close();
      }
    }
  }

  private static Endpoint pod(int i) {
    return LabServices.pod(i);
  }

  private static ServicePort web(List<Endpoint> eps) {
    return LabServices.web(eps);
  }

  private static ServiceModel model(ServicePort... ports) {
    return LabServices.model(ports);
  }

  private static Set<String> answers(String ns, String url, int n) {
    return LabServices.answers(lab, ns, url, n);
  }

  @Test
  void clusterIpAndNodePortReachEveryReadyEndpointAndNoOther() throws Exception {
    Endpoint notReady = new Endpoint(Addresses.parse(podIp(3)), 8080, false, false, false, true);
    backend.sync(model(web(List.of(pod(1), pod(2), notReady))), SyncMode.FULL);

    assertThat(answers(lab.client(), "http://" + VIP + "/", 24)).containsExactly("pod1", "pod2");
    assertThat(answers(lab.client(), "http://" + NetnsLab.NODE_IP + ":30080/", 24))
        .containsExactly("pod1", "pod2");
    assertThat(answers(lab.node(), "http://" + VIP + "/", 16)).containsExactly("pod1", "pod2");
  }

  @Test
  void removingAnEndpointStopsTrafficAfterOneIncrementalSync() throws Exception {
    backend.sync(model(web(List.of(pod(1), pod(2), pod(3)))), SyncMode.FULL);
    assertThat(answers(lab.client(), "http://" + VIP + "/", 30))
        .containsExactly("pod1", "pod2", "pod3");

    SyncResult r = backend.sync(model(web(List.of(pod(1), pod(3)))), SyncMode.INCREMENTAL);

    assertThat(r.mode()).isEqualTo(SyncMode.INCREMENTAL);
    assertThat(answers(lab.client(), "http://" + VIP + "/", 24)).containsExactly("pod1", "pod3");
    assertThat(answers(lab.client(), "http://" + NetnsLab.NODE_IP + ":30080/", 16))
        .containsExactly("pod1", "pod3");
  }

  @Test
  void ipv6ClusterIpAndNodePortUseTheIp6Table() throws Exception {
    List<Endpoint> eps =
        List.of(
            Endpoint.ready(Addresses.parse(NetnsLab.podIp6(1)), 8080, true),
            Endpoint.ready(Addresses.parse(NetnsLab.podIp6(2)), 8080, true));
    ServicePort web6 =
        ServicePort.clusterIp(
                new ServicePortName("default", "web6", "http"),
                Protocol.TCP,
                Addresses.parse("fd00:96::10"),
                80,
                eps)
            .withNodePort(30086);
    backend.sync(model(web(List.of(pod(3))), web6), SyncMode.FULL);

    assertThat(answers(lab.client(), "http://[fd00:96::10]/", 24)).containsExactly("pod1", "pod2");
    assertThat(answers(lab.client(), "http://[" + NetnsLab.NODE_IP6 + "]:30086/", 16))
        .containsExactly("pod1", "pod2");
    assertThat(answers(lab.client(), "http://" + VIP + "/", 4)).containsExactly("pod3");
  }

  @Test
  void loadBalancerSourceRangesDropOtherSourcesAtTheLoadBalancerIpOnly() throws Exception {
    backend.sync(model(LabServices.loadBalancer("10.9.0.0/16")), SyncMode.FULL);
    Sh.Result dropped = lab.http(lab.client(), "http://" + LabServices.LB_IP + "/");
    assertThat(dropped.exit()).as("curl exit (28: timed out, dropped)").isEqualTo(28);
    assertThat(answers(lab.client(), "http://" + VIP + "/", 4)).containsExactly("pod1");

    SyncResult r =
        backend.sync(model(LabServices.loadBalancer("192.168.77.0/24")), SyncMode.INCREMENTAL);
    assertThat(r.mode()).isEqualTo(SyncMode.INCREMENTAL);
    assertThat(answers(lab.client(), "http://" + LabServices.LB_IP + "/", 4))
        .containsExactly("pod1");
  }

  @Test
  void hairpinPodReachesItselfThroughItsServiceThanksToMasquerade() throws Exception {
    backend.sync(model(web(List.of(pod(1)))), SyncMode.FULL);

    assertThat(answers(lab.pod(1), "http://" + VIP + "/", 4)).containsExactly("pod1");
  }

  @Test
  void sessionAffinityKeepsOneClientOnOneEndpoint() throws Exception {
    ServicePort sticky =
        ServicePort.clusterIp(
                new ServicePortName("default", "sticky", "http"),
                Protocol.TCP,
                Addresses.parse("10.96.0.12"),
                80,
                List.of(pod(1), pod(2), pod(3)))
            .withAffinity(new SessionAffinity.ClientIp(Duration.ofSeconds(60)));
    backend.sync(model(sticky), SyncMode.FULL);

    Set<String> seen = answers(lab.client(), "http://10.96.0.12/", 15);
    assertThat(seen).hasSize(1);
    assertThat(seen.iterator().next()).startsWith("pod");
  }

  @Test
  void serviceWithoutEndpointsRefusesConnectionsInsteadOfTimingOut() throws Exception {
    ServicePort empty =
        ServicePort.clusterIp(
            new ServicePortName("default", "empty", "http"),
            Protocol.TCP,
            Addresses.parse("10.96.0.13"),
            80,
            List.of());
    backend.sync(model(web(List.of(pod(1))), empty), SyncMode.FULL);

    Sh.Result r = lab.http(lab.client(), "http://10.96.0.13/");

    // curl exit 7 = could not connect (ECONNREFUSED from the ICMP port-unreachable that
    // `reject` sends); a dropped SYN would end in exit 28 after curl's 3 s timeout.
    assertThat(r.exit()).as(r.err()).isEqualTo(7);
    assertThat(r.millis()).isLessThan(2_500);
  }

  @Test
  void failedTransactionChangesNothingAndNamesTheService() throws Exception {
    ServiceModel good = model(web(List.of(pod(1), pod(2))));
    backend.sync(good, SyncMode.FULL);
    String before = lab.nft("list", "table", "ip", "berth");

    ServicePort bad =
        ServicePort.clusterIp(
            new ServicePortName("shop", "cart", "http"),
            Protocol.TCP,
            Addresses.parse("10.96.0.14"),
            80,
            List.of(pod(3)));
    Transaction tx = NftScript.full(NftRenderer.render(model(web(List.of(pod(1))), bad)));
    Transaction injected = corruptFirstLineOwnedBy(tx, "shop/cart:http IPV4");

    assertThatThrownBy(() -> backend.apply(injected))
        .isInstanceOfSatisfying(
            TransactionFailedException.class,
            e -> {
              assertThat(e.offendingServices()).containsExactly("shop/cart:http IPV4");
              assertThat(e.getMessage()).contains("shop/cart:http").contains("10.0.1.400");
            });
    assertThat(lab.nft("list", "table", "ip", "berth")).isEqualTo(before);
    assertThat(answers(lab.client(), "http://" + VIP + "/", 16)).containsExactly("pod1", "pod2");
  }

  /** Replaces the endpoint address in the first backend element of {@code owner}. */
  private static Transaction corruptFirstLineOwnedBy(Transaction tx, String owner) {
    String[] lines = tx.text().split("\n");
    List<String> owners = tx.lineOwners();
    Transaction.Builder b = new Transaction.Builder();
    boolean done = false;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (!done && owners.get(i).equals(owner) && line.contains(" : " + podIp(3) + " . 8080")) {
        line = line.replace(podIp(3), "10.0.1.400");
        done = true;
      }
      b.line(line, owners.get(i));
    }
    assertThat(done).as("found a backend line of %s", owner).isTrue();
    return b.build();
  }

  @Test
  void cleanupRemovesOnlyBerthTables() throws Exception {
    backend.cleanup();
    backend.apply(
        new Transaction.Builder()
            .line("add table ip other")
            .line("add chain ip other input { type filter hook input priority 0; policy accept; }")
            .line("add rule ip other input tcp dport 9 counter")
            .line("add set ip other canaries { type ipv4_addr; }")
            .line("add element ip other canaries { 192.0.2.1 }")
            .build());
    String others = withoutBerth(lab.nft("list", "ruleset"));
    assertThat(others).contains("table ip other");

    backend.sync(model(web(List.of(pod(1)))), SyncMode.FULL);
    assertThat(lab.nft("list", "tables")).contains("table ip berth", "table ip6 berth");
    backend.cleanup();

    String after = lab.nft("list", "ruleset");
    assertThat(after).doesNotContain("berth");
    assertThat(withoutBerth(after)).isEqualTo(others);
    lab.nft("delete", "table", "ip", "other");
  }

  /** {@code nft list ruleset} text with berth's tables cut out. */
  static String withoutBerth(String ruleset) {
    List<String> kept = new ArrayList<>();
    boolean skipping = false;
    for (String line : ruleset.split("\n", -1)) {
      if (line.startsWith("table ")) {
        skipping = line.matches("table (ip|ip6|inet) berth \\{");
      }
      if (!skipping) {
        kept.add(line);
      }
      if (line.equals("}")) {
        skipping = false;
      }
    }
    return String.join("\n", kept);
  }
}
