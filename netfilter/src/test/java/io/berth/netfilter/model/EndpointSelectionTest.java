package io.berth.netfilter.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** kube-proxy's endpoint categorisation, with topology hints (PreferClose). */
class EndpointSelectionTest {
  private static Endpoint ep(String ip, boolean ready, boolean local, String... zones) {
    return new Endpoint(Addresses.parse(ip), 8080, ready, ready, false, local, Set.of(zones));
  }

  private static List<String> ips(List<Endpoint> eps) {
    return eps.stream().map(e -> Addresses.text(e.address())).toList();
  }

  private final Endpoint a1 = ep("10.0.1.1", true, true, "zone-a");
  private final Endpoint a2 = ep("10.0.1.2", true, false, "zone-a");
  private final Endpoint b1 = ep("10.0.2.1", true, false, "zone-b");

  @Test
  void clusterTrafficKeepsToTheZoneWhenEveryReadyEndpointHasHints() {
    assertThat(ips(EndpointSelection.select(List.of(a1, a2, b1), TrafficPolicy.CLUSTER, "zone-a")))
        .containsExactly("10.0.1.1", "10.0.1.2");
    assertThat(ips(EndpointSelection.select(List.of(a1, a2, b1), TrafficPolicy.CLUSTER, "zone-b")))
        .containsExactly("10.0.2.1");
  }

  @Test
  void hintsAreIgnoredWhenOneReadyEndpointLacksThemOrNoneIsForThisZone() {
    Endpoint unhinted = ep("10.0.3.1", true, false);
    List<Endpoint> mixed = List.of(a1, a2, unhinted);
    assertThat(EndpointSelection.select(mixed, TrafficPolicy.CLUSTER, "zone-a")).hasSize(3);
    assertThat(EndpointSelection.select(List.of(a1, b1), TrafficPolicy.CLUSTER, "zone-c"))
        .hasSize(2);
    assertThat(EndpointSelection.select(List.of(a1, b1), TrafficPolicy.CLUSTER, "")).hasSize(2);
    // a not-ready endpoint without hints does not switch topology off
    Endpoint notReady = ep("10.0.4.1", false, false);
    assertThat(
            ips(
                EndpointSelection.select(
                    List.of(a1, b1, notReady), TrafficPolicy.CLUSTER, "zone-a")))
        .containsExactly("10.0.1.1");
  }

  @Test
  void localPolicyAndTheTerminatingFallbackDoNotLookAtHints() {
    assertThat(ips(EndpointSelection.select(List.of(a1, a2, b1), TrafficPolicy.LOCAL, "zone-b")))
        .containsExactly("10.0.1.1");
    Endpoint terminatingB =
        new Endpoint(Addresses.parse("10.0.2.9"), 8080, false, true, true, false, Set.of("zone-b"));
    assertThat(
            ips(EndpointSelection.select(List.of(terminatingB), TrafficPolicy.CLUSTER, "zone-a")))
        .containsExactly("10.0.2.9");
  }
}
