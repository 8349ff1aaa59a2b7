package io.berth.netfilter.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.netfilter.iptables.IptablesRenderer;
import io.berth.netfilter.model.IpFamily;
import io.berth.netfilter.model.ProxyConfig;
import io.berth.netfilter.model.ServiceModel;
import io.berth.netfilter.model.ServicePort;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KubeProxyIptablesSyncTest {
  @Test
  void partialSyncRewritesTopLevelChainsAndOnlyTheChangedServicesChains() {
    List<ServicePort> ports = new ArrayList<>(SyntheticServices.services(3, 3));
    String before = render(ports);
    ports.set(1, SyntheticServices.service(1, 2, 3));
    String after = render(ports);

    String partial = KubeProxyIptablesSync.partial(before, after);

    List<String> declared = partial.lines().filter(l -> l.startsWith(":")).toList();
    assertThat(declared).contains(":BERTH-SERVICES - [0:0]", ":BERTH-POSTROUTING - [0:0]");
    assertThat(declared.stream().filter(l -> l.startsWith(":BERTH-SVC-"))).hasSize(1);
    // of the endpoint chains only the removed one: flushed, then deleted
    List<String> removed = partial.lines().filter(l -> l.startsWith("-X ")).toList();
    assertThat(removed).hasSize(1);
    assertThat(declared.stream().filter(l -> l.startsWith(":BERTH-SEP-")))
        .containsExactly(":" + removed.get(0).substring(3) + " - [0:0]");
    // every dispatch rule is written again, as kube-proxy writes KUBE-SERVICES on each sync
    assertThat(partial.lines().filter(l -> l.startsWith("-A BERTH-SERVICES ")))
        .filteredOn(l -> l.contains("-j BERTH-SVC-"))
        .hasSize(3);
    // nothing of the unchanged services' own chains
    assertThat(partial.lines().filter(l -> l.contains("-j DNAT"))).isEmpty();
  }

  @Test
  void noChangeStillRewritesTheTopLevelChainsOnly() {
    String text = render(SyntheticServices.services(2, 2));

    String partial = KubeProxyIptablesSync.partial(text, text);

    assertThat(partial.lines().filter(l -> l.startsWith(":")))
        .noneMatch(l -> l.matches(":BERTH-(SVC|SEP)-.*"));
    assertThat(partial).doesNotContain("-X ");
  }

  private static String render(List<ServicePort> ports) {
    return IptablesRenderer.render(ServiceModel.of(ProxyConfig.defaults(), ports), IpFamily.IPV4);
  }
}
