package io.berth.netfilter.nftables;

import static io.berth.netfilter.model.Fixtures.clusterIp;
import static io.berth.netfilter.model.Fixtures.model;
import static io.berth.netfilter.model.Fixtures.ready;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.netfilter.model.Cidr;
import io.berth.netfilter.model.ProxyConfig;
import io.berth.netfilter.model.ServiceModel;
import io.berth.netfilter.model.ServicePort;
import io.berth.netfilter.model.SessionAffinity;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The incremental renderer (only changed service ports) must produce exactly the transaction that
 * diffing the two complete rulesets produces, and its state after commit must equal a fresh render
 * of the new model.
 */
class NftStateTest {
  private static final ServicePort A =
      clusterIp("a", "10.96.0.1", 80, ready(80, "10.0.0.2", "10.0.0.3"));
  private static final ServicePort B = clusterIp("b", "10.96.0.2", 80, ready(80, "10.0.0.3"));
  private static final ServicePort B2 = clusterIp("b", "10.96.0.2", 80, ready(80, "10.0.0.4"));
  private static final ServicePort C =
      clusterIp("c", "10.96.0.3", 80, ready(80, "10.0.0.5", "10.0.0.6"))
          .withAffinity(SessionAffinity.clientIp())
          .withNodePort(30001);
  private static final ServicePort C1 =
      clusterIp("c", "10.96.0.3", 80, ready(80, "10.0.0.6"))
          .withAffinity(SessionAffinity.clientIp())
          .withNodePort(30001);

  static Stream<Arguments> changes() {
    return Stream.of(
        Arguments.of("endpoint replaced", model(A, B), model(A, B2)),
        Arguments.of("service added", model(A), model(A, B)),
        Arguments.of("service removed keeps shared hairpin", model(A, B), model(A)),
        Arguments.of("affinity endpoint removed", model(A, C), model(A, C1)),
        Arguments.of("affinity service removed", model(A, C), model(A)),
        Arguments.of("to no endpoints", model(A), model(A.withEndpoints(List.of()))),
        Arguments.of("nothing", model(A, C), model(A, C)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("changes")
  void incrementalEqualsDiffOfFullRenders(String what, ServiceModel before, ServiceModel after) {
    NftState state = NftState.build(before, 4);
    NftState.Change change = state.diff(after);

    assertThat(change.transaction().text())
        .isEqualTo(
            NftScript.diff(NftRenderer.render(before, 4), NftRenderer.render(after, 4)).text());
    change.commit().run();
    assertThat(state.tables()).isEqualTo(NftRenderer.render(after, 4));
  }

  @Test
  void sharedHairpinElementSurvivesUntilItsLastUser() {
    NftState state = NftState.build(model(A, B), 4);
    String text = state.diff(model(A)).transaction().text();
    assertThat(text).doesNotContain("10.0.0.3 . 10.0.0.3");
  }

  @Test
  void configChangeNeedsFullSync() {
    NftState state = NftState.build(model(A), 4);
    ServiceModel other =
        ServiceModel.of(
            new ProxyConfig(true, 0x4000, List.of(Cidr.parse("10.0.0.0/8"))), List.of(A));
    assertThatThrownBy(() -> state.diff(other)).isInstanceOf(FullSyncRequiredException.class);
  }
}
