package io.berth.netfilter.iptables;

import static io.berth.netfilter.lab.LabServices.model;
import static io.berth.netfilter.lab.LabServices.pod;
import static io.berth.netfilter.lab.LabServices.web;
import static io.berth.netfilter.lab.NetnsLab.podIp;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.netfilter.SyncMode;
import io.berth.netfilter.SyncResult;
import io.berth.netfilter.detect.IptablesMode;
import io.berth.netfilter.lab.LabServices;
import io.berth.netfilter.lab.NetnsLab;
import io.berth.netfilter.lab.Sh;
import io.berth.netfilter.model.Addresses;
import io.berth.netfilter.model.Endpoint;
import io.berth.netfilter.model.Protocol;
import io.berth.netfilter.model.ServicePort;
import io.berth.netfilter.model.ServicePortName;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real traffic through berth's iptables rules (legacy: through libiptc in-process; nft: by {@code
 * iptables-nft-restore}), in namespaces this test creates ({@link NetnsLab}), once per iptables
 * flavour: ClusterIP and NodePort reach every ready endpoint and no other, an endpoint removal
 * takes effect after one sync and deletes its chain, a Service without endpoints refuses
 * connections, and removing berth's chains leaves a foreign chain and its jump byte-for-byte
 * intact.
 */
class IptablesBackendIT {
  private static final String VIP = LabServices.VIP;

  private static Set<String> answers(NetnsLab lab, String url, int n) {
    return LabServices.answers(lab, lab.client(), url, n);
  }

  private static String save(NetnsLab lab, IptablesMode.Flavour flavour, String table) {
    String tool = "iptables-" + flavour.name().toLowerCase(Locale.ROOT) + "-save";
    return Sh.check("ip", "netns", "exec", lab.node(), tool, "-t", table)
        .lines()
        .filter(l -> !l.startsWith("#"))
        .map(l -> l.replaceAll("\\[\\d+:\\d+\\]$", "[counters]")) // built-ins count packets
        .reduce("", (a, b) -> a + b + "\n");
  }

  private static String iptables(NetnsLab lab, IptablesMode.Flavour flavour, String args) {
    String tool = "iptables-" + flavour.name().toLowerCase(Locale.ROOT);
    List<String> cmd = new java.util.ArrayList<>(List.of("ip", "netns", "exec", lab.node(), tool));
    cmd.addAll(List.of(args.split(" ")));
    return Sh.check(cmd.toArray(String[]::new));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(IptablesMode.Flavour.class)
  void trafficFollowsTheModelAndCleanupLeavesForeignChains(IptablesMode.Flavour flavour)
      throws Exception {
    try (NetnsLab lab = new NetnsLab("ipt" + flavour.name().substring(0, 1).toLowerCase(), 3)) {
      // someone else's chain with a jump from INPUT, in both tables berth writes
      iptables(lab, flavour, "-N CANARY");
      iptables(lab, flavour, "-A CANARY -p tcp --dport 9 -j RETURN");
      iptables(lab, flavour, "-A INPUT -j CANARY");
      iptables(lab, flavour, "-t nat -N CANARY-NAT");
      iptables(lab, flavour, "-t nat -A CANARY-NAT -d 192.0.2.99/32 -j RETURN");
      iptables(lab, flavour, "-t nat -A PREROUTING -j CANARY-NAT");
      String filterBefore = save(lab, flavour, "filter");
      String natBefore = save(lab, flavour, "nat");
      IptablesBackend backend = IptablesBackend.of(flavour, Optional.of(lab.nodeNetns()));

      Endpoint notReady = new Endpoint(Addresses.parse(podIp(3)), 8080, false, false, false, true);
      SyncResult first = backend.sync(model(web(List.of(pod(1), pod(2), notReady))), SyncMode.FULL);
      assertThat(first.mode()).isEqualTo(SyncMode.FULL);
      assertThat(answers(lab, "http://" + VIP + "/", 24)).containsExactly("pod1", "pod2");
      assertThat(answers(lab, "http://" + NetnsLab.NODE_IP + ":30080/", 24))
          .containsExactly("pod1", "pod2");

      SyncResult second = backend.sync(model(web(List.of(pod(1), pod(3)))), SyncMode.INCREMENTAL);
      assertThat(second.mode()).isEqualTo(SyncMode.INCREMENTAL);
      assertThat(answers(lab, "http://" + VIP + "/", 24)).containsExactly("pod1", "pod3");
      String nat = save(lab, flavour, "nat");
      assertThat(nat.lines().filter(l -> l.startsWith(":BERTH-SEP-")).count())
          .as("endpoint chains after removing pod2:\n%s", nat)
          .isEqualTo(2);
      assertThat(nat).doesNotContain(podIp(2));
      assertThat(nat.lines().filter(l -> l.contains("berth service portals")).count())
          .as("one jump from PREROUTING and one from OUTPUT after two syncs")
          .isEqualTo(2);

      ServicePort empty =
          ServicePort.clusterIp(
              new ServicePortName("default", "empty", "http"),
              Protocol.TCP,
              Addresses.parse("10.96.0.13"),
              80,
              List.of());
      backend.sync(model(web(List.of(pod(1))), empty), SyncMode.INCREMENTAL);
      Sh.Result refused = lab.http(lab.client(), "http://10.96.0.13/");
      assertThat(refused.exit()).as(refused.err()).isEqualTo(7);
      assertThat(refused.millis()).isLessThan(2_500);
      assertThat(answers(lab, "http://" + VIP + "/", 6)).containsExactly("pod1");

      // loadBalancerSourceRanges: the client's range is not allowed at the LB IP, then it is
      backend.sync(model(LabServices.loadBalancer("10.9.0.0/16")), SyncMode.INCREMENTAL);
      Sh.Result dropped = lab.http(lab.client(), "http://" + LabServices.LB_IP + "/");
      assertThat(dropped.exit()).as("curl exit (28: timed out, dropped)").isEqualTo(28);
      assertThat(answers(lab, "http://" + VIP + "/", 4)).containsExactly("pod1");
      backend.sync(model(LabServices.loadBalancer("192.168.77.0/24")), SyncMode.INCREMENTAL);
      assertThat(answers(lab, "http://" + LabServices.LB_IP + "/", 4)).containsExactly("pod1");

      List<String> removed = backend.removeAll();
      assertThat(removed).anySatisfy(r -> assertThat(r).startsWith("ip nat: "));
      assertThat(save(lab, flavour, "filter")).isEqualTo(filterBefore);
      assertThat(save(lab, flavour, "nat")).isEqualTo(natBefore);
      assertThat(backend.removeAll()).isEmpty();
    }
  }
}
