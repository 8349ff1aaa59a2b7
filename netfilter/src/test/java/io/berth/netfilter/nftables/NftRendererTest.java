package io.berth.netfilter.nftables;

import static io.berth.netfilter.model.Fixtures.clusterIp;
import static io.berth.netfilter.model.Fixtures.model;
import static io.berth.netfilter.model.Fixtures.ready;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.netfilter.model.Addresses;
import io.berth.netfilter.model.Cidr;
import io.berth.netfilter.model.Endpoint;
import io.berth.netfilter.model.ProxyConfig;
import io.berth.netfilter.model.ServiceModel;
import io.berth.netfilter.model.ServicePort;
import io.berth.netfilter.model.SessionAffinity;
import io.berth.netfilter.model.TrafficPolicy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class NftRendererTest {

  private static String full(ServiceModel m) {
    return NftScript.full(NftRenderer.render(m, 4)).text();
  }

  @Test
  void emptyModelRendersOnlySharedSkeleton() throws Exception {
    Golden.assertMatches("empty", full(model()));
  }

  @Test
  void clusterIpService() throws Exception {
    Golden.assertMatches(
        "clusterip",
        full(
            model(
                clusterIp(
                    "web", "10.96.0.10", 80, ready(8080, "10.0.1.2", "10.0.1.3", "10.0.1.4")))));
  }

  @Test
  void zoneHintsKeepClusterTrafficInTheNodesZoneButNotLocalNodePortTraffic() throws Exception {
    Golden.assertMatches("topology", full(io.berth.netfilter.model.Fixtures.zoned()));
  }

  @Test
  void loadBalancerSourceRangesFillTheFirewallSets() throws Exception {
    Golden.assertMatches("source-ranges", full(io.berth.netfilter.model.Fixtures.firewalled()));
  }

  @Test
  void nodePortWithExternalAndLoadBalancerIps() throws Exception {
    ServicePort sp =
        clusterIp("web", "10.96.0.10", 80, ready(8080, "10.0.1.2", "10.0.1.3"))
            .withNodePort(30080)
            .withExternal(
                List.of(Addresses.parse("192.0.2.10")),
                List.of(Addresses.parse("198.51.100.7")),
                TrafficPolicy.CLUSTER);
    Golden.assertMatches("nodeport", full(model(sp)));
  }

  @Test
  void externalTrafficPolicyLocalUsesOnlyLocalEndpointsAndNoMasquerade() throws Exception {
    List<Endpoint> eps =
        List.of(
            Endpoint.ready(Addresses.parse("10.0.1.2"), 8080, true),
            Endpoint.ready(Addresses.parse("10.0.2.2"), 8080, false));
    ServicePort sp =
        clusterIp("local", "10.96.0.11", 80, eps)
            .withNodePort(30081)
            .withExternal(List.of(), List.of(Addresses.parse("198.51.100.8")), TrafficPolicy.LOCAL);
    String text = full(model(sp));
    Golden.assertMatches("local-policy", text);
    assertThat(text).doesNotContain("tcp . 30081\n").contains("tcp . 30081 . 0 : 10.0.1.2 . 8080");
    assertThat(text).doesNotContain("tcp . 30081 . 1");
  }

  @Test
  void sessionAffinity() throws Exception {
    ServicePort sp =
        clusterIp("sticky", "10.96.0.12", 80, ready(8080, "10.0.1.2", "10.0.1.3"))
            .withAffinity(new SessionAffinity.ClientIp(Duration.ofSeconds(600)));
    Golden.assertMatches("affinity", full(model(sp)));
  }

  @Test
  void noEndpointsRejectsAndNoLocalEndpointsDrops() throws Exception {
    ServicePort none = clusterIp("none", "10.96.0.13", 80, List.of()).withNodePort(30082);
    ServicePort noLocal =
        clusterIp(
                "nolocal",
                "10.96.0.14",
                80,
                List.of(Endpoint.ready(Addresses.parse("10.0.2.9"), 8080, false)))
            .withInternalTrafficPolicy(TrafficPolicy.LOCAL);
    String text = full(model(none, noLocal));
    Golden.assertMatches("no-endpoints", text);
    assertThat(text)
        .contains("10.96.0.13 . tcp . 80 : goto reject-chain")
        .contains("tcp . 30082 : goto reject-chain")
        .contains("10.96.0.14 . tcp . 80 : drop");
  }

  @Test
  void terminatingEndpointsServeOnlyWhenNoneIsReady() {
    Endpoint term = new Endpoint(Addresses.parse("10.0.1.9"), 8080, false, true, true, false);
    Endpoint readyEp = Endpoint.ready(Addresses.parse("10.0.1.2"), 8080, false);
    assertThat(full(model(clusterIp("a", "10.96.0.20", 80, List.of(term, readyEp)))))
        .doesNotContain("10.0.1.9 . 8080,")
        .contains("10.96.0.20 . tcp . 80 . 0 : 10.0.1.2 . 8080");
    assertThat(full(model(clusterIp("a", "10.96.0.20", 80, List.of(term)))))
        .contains("10.96.0.20 . tcp . 80 . 0 : 10.0.1.9 . 8080");
  }

  @Test
  void ipv6() throws Exception {
    Golden.assertMatches(
        "ipv6",
        full(model(clusterIp("web6", "fd00:96::10", 80, ready(8080, "fd00:1::2", "fd00:1::3")))));
  }

  @Test
  void masqueradeAllAndClusterCidr() throws Exception {
    ProxyConfig cfg = new ProxyConfig(true, 0x4000, List.of(Cidr.parse("10.0.0.0/16")));
    Golden.assertMatches(
        "masquerade",
        full(
            ServiceModel.of(
                cfg, List.of(clusterIp("web", "10.96.0.10", 80, ready(8080, "10.0.1.2"))))));
  }

  @Test
  void nodePortAddressesLimitNodePortsToTheirFamilysCidrs() throws Exception {
    ProxyConfig cfg =
        new ProxyConfig(
            false,
            0x4000,
            List.of(),
            List.of(Cidr.parse("192.168.5.0/24"), Cidr.parse("203.0.113.7/32")));
    ServicePort sp =
        clusterIp("web", "10.96.0.10", 80, ready(8080, "10.0.1.2")).withNodePort(30080);
    String text = full(ServiceModel.of(cfg, List.of(sp)));
    Golden.assertMatches("nodeport-addresses", text);
    // the IPv6 table has no CIDR of its family: every local address there (kube-proxy's ::/0)
    String v6 = text.substring(text.indexOf("table ip6 berth"));
    assertThat(v6).doesNotContain("nodeport-addresses");
  }

  @Test
  void renderingIsDeterministicWhateverTheInputOrder() {
    ServicePort a = clusterIp("a", "10.96.0.1", 80, ready(80, "10.0.0.3", "10.0.0.2"));
    ServicePort b = clusterIp("b", "10.96.0.2", 80, ready(80, "10.0.0.5", "10.0.0.4"));
    assertThat(full(model(a, b))).isEqualTo(full(model(b, a)));
  }

  @Test
  void conflictingFrontendsAreRejectedWithBothOwners() {
    ServicePort a = clusterIp("a", "10.96.0.1", 80, ready(80, "10.0.0.3"));
    ServicePort b = clusterIp("b", "10.96.0.1", 80, ready(80, "10.0.0.4"));
    assertThatThrownBy(() -> NftRenderer.render(model(a, b)))
        .hasMessageContaining("default/a:http")
        .hasMessageContaining("default/b:http");
  }

  @Test
  void familyMismatchIsRejected() {
    assertThatThrownBy(() -> clusterIp("x", "10.96.0.1", 80, ready(80, "fd00::1")))
        .hasMessageContaining("fd00:0:0:0:0:0:0:1 is not IPV4");
  }
}
