package io.berth.netfilter.iptables;

import static io.berth.netfilter.model.Fixtures.clusterIp;
import static io.berth.netfilter.model.Fixtures.model;
import static io.berth.netfilter.model.Fixtures.ready;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.netfilter.model.Addresses;
import io.berth.netfilter.model.Cidr;
import io.berth.netfilter.model.Endpoint;
import io.berth.netfilter.model.IpFamily;
import io.berth.netfilter.model.ProxyConfig;
import io.berth.netfilter.model.ServiceModel;
import io.berth.netfilter.model.ServicePort;
import io.berth.netfilter.model.SessionAffinity;
import io.berth.netfilter.model.TrafficPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Golden tests of the KUBE-style iptables model under berth chain names (render only). */
class IptablesRendererTest {
  private static final Path DIR = Path.of("src/test/resources/golden/iptables");

  private static void golden(String name, String actual) throws IOException {
    Path file = DIR.resolve(name + ".rules");
    if (Boolean.getBoolean("golden.update") || !Files.exists(file)) {
      Files.createDirectories(DIR);
      Files.writeString(file, actual);
    }
    assertThat(actual).isEqualTo(Files.readString(file));
  }

  @Test
  void clusterIpNodePortAndNoEndpoints() throws Exception {
    ServicePort web =
        clusterIp("web", "10.96.0.10", 80, ready(8080, "10.0.1.2", "10.0.1.3", "10.0.1.4"))
            .withNodePort(30080);
    ServicePort none = clusterIp("none", "10.96.0.13", 80, List.of()).withNodePort(30082);
    ProxyConfig cfg = new ProxyConfig(false, 0x4000, List.of(Cidr.parse("10.0.0.0/16")));
    String text = IptablesRenderer.render(ServiceModel.of(cfg, List.of(web, none)), IpFamily.IPV4);
    golden("clusterip-nodeport", text);
    assertThat(text)
        .contains("--probability 0.3333333333")
        .contains("--probability 0.5000000000")
        .contains("-j REJECT --reject-with icmp-port-unreachable");
  }

  @Test
  void affinityAndLocalPolicy() throws Exception {
    ServicePort sticky =
        clusterIp("sticky", "10.96.0.12", 80, ready(8080, "10.0.1.2", "10.0.1.3"))
            .withAffinity(new SessionAffinity.ClientIp(Duration.ofSeconds(600)));
    ServicePort local =
        clusterIp(
                "local",
                "10.96.0.11",
                80,
                List.of(
                    Endpoint.ready(Addresses.parse("10.0.1.2"), 8080, true),
                    Endpoint.ready(Addresses.parse("10.0.2.2"), 8080, false)))
            .withNodePort(30081)
            .withExternal(List.of(), List.of(Addresses.parse("198.51.100.8")), TrafficPolicy.LOCAL);
    golden("affinity-local", IptablesRenderer.render(model(sticky, local), IpFamily.IPV4));
  }

  @Test
  void loadBalancerSourceRanges() throws Exception {
    String text =
        IptablesRenderer.render(io.berth.netfilter.model.Fixtures.firewalled(), IpFamily.IPV4);
    golden("source-ranges", text);
    assertThat(text)
        .contains("-s 192.168.0.0/16 -j RETURN")
        .contains("-s 198.51.100.7/32 -j RETURN");
  }

  @Test
  void zoneHints() throws Exception {
    String text = IptablesRenderer.render(io.berth.netfilter.model.Fixtures.zoned(), IpFamily.IPV4);
    golden("topology", text);
    assertThat(text.lines().filter(l -> l.contains("DNAT --to-destination 10.0.2.2:8080")))
        .as("the zone-b endpoint is only in the Local chain")
        .hasSize(1);
  }

  @Test
  void ipv6() throws Exception {
    golden(
        "ipv6",
        IptablesRenderer.render(
            model(clusterIp("web6", "fd00:96::10", 80, ready(8080, "fd00:1::2", "fd00:1::3"))),
            IpFamily.IPV6));
  }
}
