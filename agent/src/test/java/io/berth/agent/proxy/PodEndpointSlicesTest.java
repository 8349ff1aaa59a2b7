package io.berth.agent.proxy;

import static io.berth.agent.proxy.FakePods.named;
import static io.berth.agent.proxy.FakePods.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PodEndpointSlicesTest {
  private static Service svc(IntOrString target) {
    return new ServiceBuilder(TestObjects.web())
        .editSpec()
        .addToSelector("app", "web")
        .editFirstPort()
        .withTargetPort(target)
        .endPort()
        .endSpec()
        .build();
  }

  private static List<EndpointSlice> build(Service s, Set<String> terminating, Pod... pods) {
    return PodEndpointSlices.build(s, List.of(pods), terminating::contains, "node-a");
  }

  private static String conditions(Endpoint e) {
    var c = e.getConditions();
    return e.getAddresses().getFirst()
        + " ready="
        + c.getReady()
        + " serving="
        + c.getServing()
        + " terminating="
        + c.getTerminating();
  }

  @Test
  void selectedPodsBecomeEndpointsWithTheControllersConditions() {
    List<EndpointSlice> slices =
        build(
            svc(named("http")),
            Set.of("uid-c"),
            pod("b", "10.0.1.3", false).build(),
            pod("a", "10.0.1.2", true).build(),
            pod("c", "10.0.1.4", true).build(),
            pod("other", "10.0.1.9", true)
                .editMetadata()
                .addToLabels("app", "db")
                .endMetadata()
                .build());
    assertThat(slices).hasSize(1);
    EndpointSlice s = slices.getFirst();
    assertThat(s.getMetadata().getName()).isEqualTo("web-berth-v4");
    assertThat(s.getMetadata().getLabels())
        .containsEntry(SliceInfo.SERVICE_NAME_LABEL, "web")
        .containsEntry("endpointslice.kubernetes.io/managed-by", PodEndpointSlices.MANAGED_BY);
    assertThat(s.getAddressType()).isEqualTo("IPv4");
    assertThat(s.getEndpoints().stream().map(PodEndpointSlicesTest::conditions))
        .containsExactly(
            "10.0.1.2 ready=true serving=true terminating=false",
            "10.0.1.3 ready=false serving=false terminating=false",
            "10.0.1.4 ready=false serving=true terminating=true");
    assertThat(s.getEndpoints().getFirst().getNodeName()).isEqualTo("node-a");
    assertThat(s.getEndpoints().getFirst().getTargetRef().getName()).isEqualTo("a");
    // the named target port resolved from the container port
    assertThat(s.getPorts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getName()).isEqualTo("http");
              assertThat(p.getPort()).isEqualTo(8080);
              assertThat(p.getProtocol()).isEqualTo("TCP");
            });
  }

  @Test
  void podsWithoutIpInATerminalPhaseOrInAnotherNamespaceAreLeftOut() {
    List<EndpointSlice> slices =
        build(
            svc(new IntOrString(9090)),
            Set.of(),
            pod("noip", "10.0.1.2", true)
                .editStatus()
                .withPodIP(null)
                .withPodIPs()
                .endStatus()
                .build(),
            pod("done", "10.0.1.3", true).editStatus().withPhase("Succeeded").endStatus().build(),
            pod("elsewhere", "10.0.1.4", true)
                .editMetadata()
                .withNamespace("shop")
                .endMetadata()
                .build());
    assertThat(slices).isEmpty();
  }

  @Test
  void deletionTimestampMeansTerminatingAndPublishNotReadyMakesEveryPodReady() {
    Pod deleting =
        pod("a", "10.0.1.2", true)
            .editMetadata()
            .withDeletionTimestamp("2026-11-24T10:00:00Z")
            .endMetadata()
            .build();
    assertThat(
            conditions(
                build(svc(named("http")), Set.of(), deleting).getFirst().getEndpoints().getFirst()))
        .isEqualTo("10.0.1.2 ready=false serving=true terminating=true");
    Service publish =
        new ServiceBuilder(svc(named("http")))
            .editSpec()
            .withPublishNotReadyAddresses(true)
            .endSpec()
            .build();
    assertThat(
            conditions(
                build(publish, Set.of(), pod("b", "10.0.1.3", false).build())
                    .getFirst()
                    .getEndpoints()
                    .getFirst()))
        .isEqualTo("10.0.1.3 ready=true serving=true terminating=false");
  }

  @Test
  void podsResolvingANamedPortDifferentlyGetSeparateSlices() {
    Pod other =
        pod("b", "10.0.1.3", true)
            .editSpec()
            .editFirstContainer()
            .editFirstPort()
            .withContainerPort(9090)
            .endPort()
            .endContainer()
            .endSpec()
            .build();
    Pod lacking =
        pod("c", "10.0.1.4", true)
            .editSpec()
            .editFirstContainer()
            .editFirstPort()
            .withName("metrics")
            .endPort()
            .endContainer()
            .endSpec()
            .build();
    List<EndpointSlice> slices =
        build(svc(named("http")), Set.of(), pod("a", "10.0.1.2", true).build(), other, lacking);
    // as the controller: one slice per port set; a pod lacking the named port lands in a slice
    // without ports, which feeds no service port
    assertThat(slices)
        .extracting(
            s ->
                s.getPorts().stream().map(p -> p.getPort().toString()).toList()
                    + " "
                    + s.getEndpoints().stream().map(e -> e.getAddresses().getFirst()).toList())
        .containsExactlyInAnyOrder("[] [10.0.1.4]", "[8080] [10.0.1.2]", "[9090] [10.0.1.3]");
    assertThat(slices)
        .extracting(s -> s.getMetadata().getName())
        .containsExactlyInAnyOrder("web-berth-v4", "web-berth-v4-2", "web-berth-v4-3");
  }

  @Test
  void aServiceWithoutSelectorGetsNothingAndEqualInputsGiveEqualSlices() {
    assertThat(build(TestObjects.web(), Set.of(), pod("a", "10.0.1.2", true).build())).isEmpty();
    Service s = svc(new IntOrString(8080));
    assertThat(
            build(
                s,
                Set.of(),
                pod("a", "10.0.1.2", true).build(),
                pod("b", "10.0.1.3", true).build()))
        .isEqualTo(
            build(
                s,
                Set.of(),
                pod("b", "10.0.1.3", true).build(),
                pod("a", "10.0.1.2", true).build()));
  }
}
