package io.berth.netfilter.nftables;

import static io.berth.netfilter.model.Fixtures.clusterIp;
import static io.berth.netfilter.model.Fixtures.model;
import static io.berth.netfilter.model.Fixtures.ready;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.netfilter.model.ServiceModel;
import io.berth.netfilter.model.SessionAffinity;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NftScriptTest {

  private static Transaction diff(ServiceModel before, ServiceModel after) {
    return NftScript.diff(NftRenderer.render(before, 4), NftRenderer.render(after, 4));
  }

  private static List<ServiceModel> manyServices(int endpointsOfFirst) {
    List<io.berth.netfilter.model.ServicePort> ports = new ArrayList<>();
    ports.add(clusterIp("first", "10.96.0.1", 80, ready(8080, first(endpointsOfFirst))));
    for (int i = 2; i < 50; i++) {
      ports.add(clusterIp("s" + i, "10.96.1." + i, 80, ready(8080, "10.0.3." + i)));
    }
    return List.of(model(ports.toArray(io.berth.netfilter.model.ServicePort[]::new)));
  }

  private static String[] first(int n) {
    String[] a = new String[n];
    for (int i = 0; i < n; i++) {
      a[i] = "10.0.2." + (i + 1);
    }
    return a;
  }

  @Test
  void identicalModelsNeedNoTransaction() {
    ServiceModel m = manyServices(3).getFirst();
    assertThat(diff(m, m).isEmpty()).isTrue();
  }

  @Test
  void endpointRemovalIsElementOnly() throws Exception {
    Transaction tx = diff(manyServices(3).getFirst(), manyServices(2).getFirst());
    Golden.assertMatches("diff-endpoint-removed", tx.text());
    for (String line : tx.text().split("\n")) {
      assertThat(line).matches("(delete|add) element ip berth [a-z-]+ \\{|  .*|\\}");
    }
    assertThat(tx.lineOwners()).contains("default/first:http IPV4");
  }

  @Test
  void endpointAdditionIsElementOnly() {
    Transaction tx = diff(manyServices(2).getFirst(), manyServices(3).getFirst());
    assertThat(tx.text()).doesNotContain("chain").doesNotContain("rule");
    assertThat(tx.text()).contains("10.96.0.1 . tcp . 80 . 2 : 10.0.2.3 . 8080");
    assertThat(tx.text()).contains("10.96.0.1 . tcp . 80 : goto vip-pick-3");
  }

  @Test
  void growingBeyondThePickChainsNeedsAFullSync() {
    assertThatThrownBy(() -> diff(manyServices(3).getFirst(), manyServices(5).getFirst()))
        .isInstanceOf(FullSyncRequiredException.class)
        .hasMessageContaining("-pick-5");
  }

  @Test
  void affinityEndpointRemovalDropsOnlyThatEndpointsChainAndSet() {
    ServiceModel before =
        model(
            clusterIp("s", "10.96.0.5", 80, ready(80, "10.0.0.2", "10.0.0.3"))
                .withAffinity(SessionAffinity.clientIp()));
    ServiceModel after =
        model(
            clusterIp("s", "10.96.0.5", 80, ready(80, "10.0.0.2"))
                .withAffinity(SessionAffinity.clientIp()));
    String text = diff(before, after).text();
    assertThat(text)
        .contains("flush chain ip berth affinity-default/s/tcp/80-ep-10.0.0.3-80")
        .contains("delete chain ip berth affinity-default/s/tcp/80-ep-10.0.0.3-80")
        .contains("delete set ip berth affinity-default/s/tcp/80-10.0.0.3-80")
        .doesNotContain("delete set ip berth affinity-default/s/tcp/80-10.0.0.2-80");
    assertThat(text.indexOf("flush chain ip berth affinity-default/s/tcp/80-cluster"))
        .isLessThan(text.indexOf("delete chain"));
  }

  @Test
  void linesKnowTheirOwners() {
    Transaction tx =
        NftScript.full(
            NftRenderer.render(model(clusterIp("web", "10.96.0.9", 80, ready(80, "10.0.0.2"))), 1));
    int line = 0;
    String[] lines = tx.text().split("\n");
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].contains("10.96.0.9 . tcp . 80 . 0 : 10.0.0.2 . 80")) {
        line = i + 1;
      }
    }
    assertThat(line).isPositive();
    assertThat(tx.ownerOfLine(line)).isEqualTo("default/web:http IPV4");
    assertThat(tx.ownerOfLine(1)).isEmpty();
    assertThat(tx.line(line)).contains("10.0.0.2 . 80");
  }

  @Test
  void deleteTouchesOnlyBerthTables() {
    assertThat(NftScript.delete(NftRenderer.render(model(), 1)).text())
        .isEqualTo(
            "add table ip berth\ndelete table ip berth\nadd table ip6 berth\ndelete table ip6 berth\n");
  }
}
