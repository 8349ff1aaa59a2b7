package io.berth.agent.proxy;

import static io.berth.agent.proxy.TestObjects.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.netfilter.model.Addresses;
import io.berth.netfilter.model.IpFamily;
import io.berth.netfilter.model.Protocol;
import io.berth.netfilter.model.ServicePort;
import io.berth.netfilter.model.ServicePortName;
import io.berth.netfilter.model.SessionAffinity;
import io.berth.netfilter.model.TrafficPolicy;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ServiceConverterTest {
  private static final ServicePortName HTTP = new ServicePortName("default", "web", "http");
  private final ServiceConverter converter = new ServiceConverter(Optional.of("berth"));

  private static InetAddress ip(String s) {
    return Addresses.parse(s);
  }

  /** The port {@code web:http} 80/TCP on 10.96.0.10 with default policies, edited by {@code f}. */
  private static ServicePort http(UnaryOperator<ServicePort> f) {
    return f.apply(ServicePort.clusterIp(HTTP, Protocol.TCP, ip("10.96.0.10"), 80, List.of()));
  }

  private static Arguments conversion(
      String name, UnaryOperator<ServiceBuilder> svc, List<ServicePort> expected) {
    return Arguments.of(name, svc.apply(service("web", "10.96.0.10")).build(), expected);
  }

  static Stream<Arguments> conversions() {
    return Stream.of(
        conversion("ClusterIP", b -> b, List.of(http(p -> p))),
        conversion(
            "ClusterIP ignores nodePort and externalTrafficPolicy",
            b ->
                b.editSpec()
                    .editFirstPort()
                    .withNodePort(30080)
                    .endPort()
                    .withExternalTrafficPolicy("Local")
                    .endSpec(),
            List.of(http(p -> p))),
        conversion(
            "dual stack: one service port per family",
            b ->
                b.editSpec()
                    .withClusterIPs("10.96.0.10", "fd00:96::10")
                    .withIpFamilies("IPv4", "IPv6")
                    .withExternalIPs("192.0.2.1", "2001:db8::1")
                    .endSpec(),
            List.of(
                http(
                    p ->
                        p.withExternal(List.of(ip("192.0.2.1")), List.of(), TrafficPolicy.CLUSTER)),
                new ServicePort(
                    HTTP,
                    IpFamily.IPV6,
                    Protocol.TCP,
                    80,
                    List.of(ip("fd00:96::10")),
                    0,
                    List.of(ip("2001:db8::1")),
                    List.of(),
                    SessionAffinity.NONE,
                    TrafficPolicy.CLUSTER,
                    TrafficPolicy.CLUSTER,
                    List.of(),
                    List.of()))),
        conversion(
            "NodePort with externalTrafficPolicy Local",
            b ->
                b.editSpec()
                    .withType("NodePort")
                    .withExternalTrafficPolicy("Local")
                    .editFirstPort()
                    .withNodePort(30080)
                    .endPort()
                    .endSpec(),
            List.of(
                http(
                    p ->
                        p.withNodePort(30080)
                            .withExternal(List.of(), List.of(), TrafficPolicy.LOCAL)))),
        conversion(
            "LoadBalancer: VIP-mode ingress IPs of the family, externalIPs",
            b ->
                b.editSpec()
                    .withType("LoadBalancer")
                    .withExternalIPs("192.0.2.9")
                    .editFirstPort()
                    .withNodePort(30081)
                    .endPort()
                    .endSpec()
                    .withNewStatus()
                    .withNewLoadBalancer()
                    .withIngress(
                        new LoadBalancerIngressBuilder().withIp("203.0.113.1").build(),
                        new LoadBalancerIngressBuilder()
                            .withIp("203.0.113.2")
                            .withIpMode("Proxy")
                            .build(),
                        new LoadBalancerIngressBuilder()
                            .withIp("203.0.113.3")
                            .withIpMode("VIP")
                            .build(),
                        new LoadBalancerIngressBuilder().withHostname("lb.example").build())
                    .endLoadBalancer()
                    .endStatus(),
            List.of(
                http(
                    p ->
                        p.withNodePort(30081)
                            .withExternal(
                                List.of(ip("192.0.2.9")),
                                List.of(ip("203.0.113.1"), ip("203.0.113.3")),
                                TrafficPolicy.CLUSTER)))),
        conversion(
            "ClientIP affinity defaults to 10800 s",
            b -> b.editSpec().withSessionAffinity("ClientIP").endSpec(),
            List.of(
                http(
                    p ->
                        p.withAffinity(new SessionAffinity.ClientIp(Duration.ofSeconds(10_800)))))),
        conversion(
            "ClientIP affinity with timeoutSeconds",
            b ->
                b.editSpec()
                    .withSessionAffinity("ClientIP")
                    .withNewSessionAffinityConfig()
                    .withNewClientIP()
                    .withTimeoutSeconds(60)
                    .endClientIP()
                    .endSessionAffinityConfig()
                    .endSpec(),
            List.of(
                http(p -> p.withAffinity(new SessionAffinity.ClientIp(Duration.ofSeconds(60)))))),
        conversion(
            "internalTrafficPolicy Local",
            b -> b.editSpec().withInternalTrafficPolicy("Local").endSpec(),
            List.of(http(p -> p.withInternalTrafficPolicy(TrafficPolicy.LOCAL)))),
        conversion(
            "UDP, SCTP and an unnamed-protocol port (TCP)",
            b ->
                b.editSpec()
                    .withPorts()
                    .addNewPort()
                    .withName("dns")
                    .withProtocol("UDP")
                    .withPort(53)
                    .endPort()
                    .addNewPort()
                    .withName("sig")
                    .withProtocol("SCTP")
                    .withPort(3868)
                    .endPort()
                    .addNewPort()
                    .withName("web")
                    .withPort(8080)
                    .endPort()
                    .endSpec(),
            List.of(
                ServicePort.clusterIp(
                    new ServicePortName("default", "web", "dns"),
                    Protocol.UDP,
                    ip("10.96.0.10"),
                    53,
                    List.of()),
                ServicePort.clusterIp(
                    new ServicePortName("default", "web", "sig"),
                    Protocol.SCTP,
                    ip("10.96.0.10"),
                    3868,
                    List.of()),
                ServicePort.clusterIp(
                    new ServicePortName("default", "web", "web"),
                    Protocol.TCP,
                    ip("10.96.0.10"),
                    8080,
                    List.of()))),
        conversion(
            "a service proxied by berth's own name",
            b ->
                b.editMetadata()
                    .addToLabels(ServiceConverter.PROXY_NAME_LABEL, "berth")
                    .endMetadata(),
            List.of(http(p -> p))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("conversions")
  void convertsServices(String name, Service svc, List<ServicePort> expected) {
    Optional<ServiceInfo> info = converter.convert(svc);

    assertThat(info).isPresent();
    assertThat(info.get().key()).isEqualTo(new ServiceKey("default", "web"));
    assertThat(info.get().ports()).containsExactlyElementsOf(expected);
  }

  static Stream<Arguments> skipped() {
    return Stream.of(
        Arguments.of("headless", service("web", "None").build(), "headless (no cluster IP)"),
        Arguments.of(
            "ExternalName",
            service("web", "10.96.0.10")
                .editSpec()
                .withType("ExternalName")
                .withExternalName("example.com")
                .endSpec()
                .build(),
            "type ExternalName"),
        Arguments.of(
            "another proxy's service",
            service("web", "10.96.0.10")
                .editMetadata()
                .addToLabels(ServiceConverter.PROXY_NAME_LABEL, "cilium")
                .endMetadata()
                .build(),
            "handled by service proxy 'cilium'"),
        Arguments.of(
            "headless label",
            service("web", "10.96.0.10")
                .editMetadata()
                .addToLabels(ServiceConverter.HEADLESS_LABEL, "")
                .endMetadata()
                .build(),
            "labelled service.kubernetes.io/headless"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("skipped")
  void skipsServicesKubeProxyIgnores(String name, Service svc, String reason) {
    assertThat(converter.skipReason(svc)).contains(reason);
    assertThat(converter.convert(svc)).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("skipped")
  void withoutAProxyNameEveryLabelledServiceIsSkipped(String name, Service svc, String reason) {
    assertThat(new ServiceConverter(Optional.empty()).convert(svc)).isEmpty();
  }

  @org.junit.jupiter.api.Test
  void invalidAddressNamesTheService() {
    Service bad = service("web", "10.96.0.x").build();

    assertThatThrownBy(() -> converter.convert(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("service default/web")
        .hasMessageContaining("10.96.0.x");
  }

  @org.junit.jupiter.api.Test
  void onlyLoadBalancersWithLocalExternalPolicyGetTheirHealthCheckNodePort() {
    java.util.function.BiFunction<String, String, Integer> hc =
        (type, etp) ->
            converter
                .convert(
                    service("web", "10.96.0.10")
                        .editSpec()
                        .withType(type)
                        .withExternalTrafficPolicy(etp)
                        .withHealthCheckNodePort(32100)
                        .endSpec()
                        .build())
                .orElseThrow()
                .healthCheckNodePort();
    assertThat(hc.apply("LoadBalancer", "Local")).isEqualTo(32100);
    assertThat(hc.apply("LoadBalancer", "Cluster")).isZero();
    assertThat(hc.apply("NodePort", "Local")).isZero();
  }

  @org.junit.jupiter.api.Test
  void sourceRangesComeFromTheSpecElseTheAnnotationPerFamilyAndBadOnesAreSkipped() {
    Service fromSpec =
        service("web", "10.96.0.10")
            .editSpec()
            .withType("LoadBalancer")
            .withLoadBalancerSourceRanges("192.168.0.0/16", "fd00::/8", "not-a-cidr")
            .endSpec()
            .build();
    assertThat(
            converter.convert(fromSpec).orElseThrow().ports().getFirst().loadBalancerSourceRanges())
        .extracting(Object::toString)
        .containsExactly("192.168.0.0/16");
    Service fromAnnotation =
        service("web", "10.96.0.10")
            .editMetadata()
            .addToAnnotations(ServiceConverter.SOURCE_RANGES_ANNOTATION, "10.1.0.0/16, 10.2.0.0/16")
            .endMetadata()
            .build();
    assertThat(
            converter
                .convert(fromAnnotation)
                .orElseThrow()
                .ports()
                .getFirst()
                .loadBalancerSourceRanges())
        .extracting(Object::toString)
        .containsExactly("10.1.0.0/16", "10.2.0.0/16");
  }
}
