package io.berth.agent.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.netfilter.model.Addresses;
import io.berth.netfilter.model.Protocol;
import io.berth.netfilter.model.ServicePort;
import io.berth.netfilter.model.ServicePortName;
import io.berth.netfilter.model.TrafficPolicy;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FrontendClaimsTest {

  private static ServicePort port(String svc, Protocol proto, String vip, int port) {
    return ServicePort.clusterIp(
        new ServicePortName("default", svc, "p"), proto, Addresses.parse(vip), port, List.of());
  }

  private static ServicePort external(ServicePort p, String ip) {
    return p.withExternal(List.of(Addresses.parse(ip)), List.of(), TrafficPolicy.CLUSTER);
  }

  static Stream<Arguments> cases() {
    ServicePort a = port("a", Protocol.TCP, "10.96.0.1", 80);
    ServicePort b = port("b", Protocol.TCP, "10.96.0.2", 80);
    return Stream.of(
        Arguments.of("distinct frontends", List.of(a, b), List.of(a, b), 0),
        Arguments.of(
            "shared external IP, same port: the later service loses it",
            List.of(external(b, "192.0.2.1"), external(a, "192.0.2.1")),
            List.of(external(a, "192.0.2.1"), b),
            1),
        Arguments.of(
            "shared external IP on another port or protocol is fine",
            List.of(
                external(a, "192.0.2.1"),
                external(port("b", Protocol.TCP, "10.96.0.2", 81), "192.0.2.1"),
                external(port("c", Protocol.UDP, "10.96.0.3", 80), "192.0.2.1")),
            List.of(
                external(a, "192.0.2.1"),
                external(port("b", Protocol.TCP, "10.96.0.2", 81), "192.0.2.1"),
                external(port("c", Protocol.UDP, "10.96.0.3", 80), "192.0.2.1")),
            0),
        Arguments.of(
            "same node port: the later loses its node port",
            List.of(a.withNodePort(30080), b.withNodePort(30080)),
            List.of(a.withNodePort(30080), b),
            1),
        Arguments.of(
            "same cluster IP and port: the later port is dropped",
            List.of(a, port("b", Protocol.TCP, "10.96.0.1", 80)),
            List.of(a),
            1),
        Arguments.of(
            "a service's external IP equal to its own cluster IP is not a conflict",
            List.of(external(a, "10.96.0.1")),
            List.of(external(a, "10.96.0.1")),
            0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void firstServicePortByNameKeepsAFrontend(
      String name, List<ServicePort> in, List<ServicePort> expected, int conflicts) {
    FrontendClaims.Resolution r = FrontendClaims.resolve(in);

    assertThat(r.ports()).containsExactlyElementsOf(expected);
    assertThat(r.conflicts()).hasSize(conflicts);
    r.conflicts().forEach(c -> assertThat(c).contains("already belongs to default/a:p"));
  }
}
