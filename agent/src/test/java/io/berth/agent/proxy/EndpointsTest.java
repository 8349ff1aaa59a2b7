package io.berth.agent.proxy;

import static io.berth.agent.proxy.TestObjects.conditions;
import static io.berth.agent.proxy.TestObjects.port;
import static io.berth.agent.proxy.TestObjects.ready;
import static io.berth.agent.proxy.TestObjects.slice;
import static io.berth.agent.proxy.TestObjects.webSlice;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.testing.FakeClock;
import io.berth.netfilter.model.Addresses;
import io.berth.netfilter.model.Endpoint;
import io.berth.netfilter.model.Protocol;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** EndpointSlice → merged endpoints per slice port, and the endpoints tracker's semantics. */
class EndpointsTest {
  private static final ServiceKey WEB = new ServiceKey("default", "web");
  private final FakeClock clock = new FakeClock();
  private final EndpointsChangeTracker tracker = new EndpointsChangeTracker("node-a", clock);

  private static Endpoint ep(String ip, int port, boolean r, boolean s, boolean t, boolean local) {
    return new Endpoint(Addresses.parse(ip), port, r, s, t, local);
  }

  /** Applies slices, checks out, returns the merged endpoints of default/web. */
  private ServiceEndpoints merged(List<EndpointSlice> slices) {
    slices.forEach(s -> tracker.update(s, false));
    Change<ServiceEndpoints> c = tracker.checkout().changes().get(WEB);
    return c == null ? ServiceEndpoints.EMPTY : c.current().orElse(ServiceEndpoints.EMPTY);
  }

  static Stream<Arguments> slices() {
    return Stream.of(
        Arguments.of(
            "conditions as kube-proxy reads them: nil ready/serving = true, nil terminating = false",
            List.of(
                webSlice(
                    conditions("10.0.1.2", null, null, null),
                    conditions("10.0.1.3", false, true, true),
                    conditions("10.0.1.4", false, null, null),
                    conditions("10.0.1.5", false, false, true))),
            Map.of(
                "http",
                List.of(
                    ep("10.0.1.2", 8080, true, true, false, false),
                    ep("10.0.1.3", 8080, false, true, true, false),
                    ep("10.0.1.4", 8080, false, true, false, false),
                    ep("10.0.1.5", 8080, false, false, true, false)))),
        Arguments.of(
            "local = nodeName is this node",
            List.of(webSlice(ready("10.0.1.2", "node-a"), ready("10.0.1.3", "node-b"))),
            Map.of(
                "http",
                List.of(
                    ep("10.0.1.2", 8080, true, true, false, true),
                    ep("10.0.1.3", 8080, true, true, false, false)))),
        Arguments.of(
            "two slices merged, duplicate endpoint kept once (local preferred)",
            List.of(
                slice("web", "web-1", port("http", 8080))
                    .withEndpoints(ready("10.0.1.2", "node-b"), ready("10.0.1.3", "node-b"))
                    .build(),
                slice("web", "web-2", port("http", 8080))
                    .withEndpoints(ready("10.0.1.3", "node-a"), ready("10.0.1.4", null))
                    .build()),
            Map.of(
                "http",
                List.of(
                    ep("10.0.1.2", 8080, true, true, false, false),
                    ep("10.0.1.3", 8080, true, true, false, true),
                    ep("10.0.1.4", 8080, true, true, false, false)))),
        Arguments.of(
            "ports by name: each slice port gets the endpoints at its number",
            List.of(
                slice(
                        "web",
                        "web-1",
                        port("http", 8080),
                        port("metrics", 9090),
                        new EndpointPortBuilder()
                            .withName("dns")
                            .withProtocol("UDP")
                            .withPort(53)
                            .build(),
                        new EndpointPortBuilder().withName("all").build())
                    .withEndpoints(ready("10.0.1.2", null))
                    .build()),
            Map.of(
                "http", List.of(ep("10.0.1.2", 8080, true, true, false, false)),
                "metrics", List.of(ep("10.0.1.2", 9090, true, true, false, false)),
                "dns/UDP", List.of(ep("10.0.1.2", 53, true, true, false, false)))),
        Arguments.of(
            "only the first address of an endpoint",
            List.of(
                webSlice(
                    new io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder()
                        .withAddresses("10.0.1.2", "10.0.1.9")
                        .build())),
            Map.of("http", List.of(ep("10.0.1.2", 8080, true, true, false, false)))),
        Arguments.of(
            "FQDN slices and headless slices are ignored",
            List.of(
                slice("web", "web-fqdn", port("http", 8080))
                    .withAddressType("FQDN")
                    .withEndpoints(
                        new io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder()
                            .withAddresses("db.example")
                            .build())
                    .build(),
                slice("web", "web-headless", port("http", 8080))
                    .editMetadata()
                    .addToLabels(ServiceConverter.HEADLESS_LABEL, "")
                    .endMetadata()
                    .withEndpoints(ready("10.0.1.2", null))
                    .build()),
            Map.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("slices")
  void mergesSlicesPerServicePort(
      String name, List<EndpointSlice> slices, Map<String, List<Endpoint>> expected) {
    ServiceEndpoints got = merged(slices);

    Map<String, List<Endpoint>> byName = new java.util.TreeMap<>();
    got.byPort()
        .forEach(
            (k, v) ->
                byName.put(k.name() + (k.protocol() == Protocol.TCP ? "" : "/" + k.protocol()), v));
    assertThat(byName).isEqualTo(expected);
  }

  @Test
  void aChangeAndItsRevertBeforeTheSyncIsNoChange() {
    EndpointSlice two = webSlice(ready("10.0.1.2", null), ready("10.0.1.3", null));
    EndpointSlice one = webSlice(ready("10.0.1.2", null));
    tracker.update(two, false);
    tracker.checkout();

    assertThat(tracker.update(one, false)).isTrue();
    assertThat(tracker.update(two, false)).isFalse();
    assertThat(tracker.checkout().changes()).isEmpty();
  }

  @Test
  void addAndDeleteBeforeTheSyncIsNoChange() {
    EndpointSlice s = webSlice(ready("10.0.1.2", null));
    assertThat(tracker.update(s, false)).isTrue();
    assertThat(tracker.update(s, true)).isFalse();
    assertThat(tracker.checkout().changes()).isEmpty();
  }

  @Test
  void checkoutGivesPreviousAndCurrentAndMovesOn() {
    EndpointSlice two = webSlice(ready("10.0.1.2", null), ready("10.0.1.3", null));
    EndpointSlice one = webSlice(ready("10.0.1.2", null));
    tracker.update(two, false);
    ServiceEndpoints first = tracker.checkout().changes().get(WEB).current().orElseThrow();
    tracker.update(one, false);

    Change<ServiceEndpoints> c = tracker.checkout().changes().get(WEB);

    assertThat(c.previous()).contains(first);
    assertThat(c.current().orElseThrow().get("http", Protocol.TCP))
        .containsExactly(ep("10.0.1.2", 8080, true, true, false, false));
    tracker.update(one, true);
    assertThat(tracker.checkout().changes().get(WEB).current()).isEmpty();
    assertThat(tracker.hasPending()).isFalse();
  }

  @Test
  void triggerTimesAfterTrackerStartAreReportedWithTheChange() {
    Instant t = clock.instant().plusSeconds(1);
    EndpointSlice s = webSlice(ready("10.0.1.2", null));
    s.getMetadata().setAnnotations(Map.of(SliceInfo.TRIGGER_TIME_ANNOTATION, t.toString()));
    EndpointSlice old = webSlice(ready("10.0.1.3", null));
    old.getMetadata().setName("web-old");
    old.getMetadata()
        .setAnnotations(
            Map.of(
                SliceInfo.TRIGGER_TIME_ANNOTATION,
                clock.instant().minus(Duration.ofHours(1)).toString()));

    tracker.update(s, false);
    tracker.update(old, false);

    assertThat(tracker.checkout().triggerTimes()).isEqualTo(Map.of(WEB, List.of(t)));
  }
}
