package io.berth.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.probes.ProbeHandler;
import io.berth.probes.ProbeSpec;
import io.berth.probes.ProbeType;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Pod spec probes → the probes library's specs, and the errors for probes berth cannot run. */
class ProbeSpecsTest {
  @Test
  void carriesEveryFieldOfTheFourActions() {
    Container c =
        base()
            .withLivenessProbe(
                new ProbeBuilder()
                    .withNewHttpGet()
                    .withScheme("HTTPS")
                    .withHost("10.1.2.3")
                    .withNewPort("metrics")
                    .withPath("/live?x=1")
                    .addNewHttpHeader("X-Probe", "1")
                    .endHttpGet()
                    .withInitialDelaySeconds(4)
                    .withPeriodSeconds(2)
                    .withTimeoutSeconds(3)
                    .withFailureThreshold(5)
                    .withTerminationGracePeriodSeconds(7L)
                    .build())
            .withReadinessProbe(
                new ProbeBuilder()
                    .withNewGrpc()
                    .withPort(9000)
                    .withService("api")
                    .endGrpc()
                    .build())
            .withStartupProbe(
                new ProbeBuilder()
                    .withNewTcpSocket()
                    .withHost("")
                    .withNewPort(8080)
                    .endTcpSocket()
                    .build())
            .build();
    ProbeSpecs.Converted converted = ProbeSpecs.of(c);
    assertThat(converted.invalid()).isEmpty();
    assertThat(converted.probes().liveness())
        .contains(
            new ProbeSpec(
                new ProbeHandler.Http(
                    ProbeHandler.Scheme.HTTPS,
                    Optional.of("10.1.2.3"),
                    9090,
                    "/live?x=1",
                    List.of(new ProbeHandler.HttpHeader("X-Probe", "1"))),
                4,
                2,
                3,
                1,
                5,
                OptionalLong.of(7)));
    assertThat(converted.probes().readiness().orElseThrow().handler())
        .isEqualTo(new ProbeHandler.Grpc(9000, Optional.of("api")));
    assertThat(converted.probes().startup().orElseThrow())
        .isEqualTo(ProbeSpec.of(ProbeHandler.Tcp.of(8080)));
  }

  @Test
  void probesBerthCannotRunAreReportedWithTheirContainer() {
    Container c =
        base()
            .withLivenessProbe(
                new ProbeBuilder()
                    .withNewExec()
                    .withCommand("true")
                    .endExec()
                    .withSuccessThreshold(2)
                    .build())
            .withReadinessProbe(
                new ProbeBuilder().withNewTcpSocket().withNewPort("admin").endTcpSocket().build())
            .withStartupProbe(new ProbeBuilder().withPeriodSeconds(1).build())
            .build();
    ProbeSpecs.Converted converted = ProbeSpecs.of(c);
    assertThat(converted.probes().liveness()).isEmpty();
    assertThat(converted.invalid().get(ProbeType.LIVENESS).getMessage())
        .isEqualTo(
            "Liveness probe of container app: Liveness probe must have successThreshold 1, got 2");
    assertThat(converted.invalid().get(ProbeType.READINESS).getMessage())
        .startsWith("Readiness probe of container app: probe port admin is not a named port");
    assertThat(converted.invalid().get(ProbeType.STARTUP).getMessage())
        .isEqualTo("Startup probe of container app: needs one of exec, httpGet, tcpSocket or grpc");
    assertThat(converted.isEmpty()).isFalse();
  }

  private static ContainerBuilder base() {
    return new ContainerBuilder()
        .withName("app")
        .withImage("busybox")
        .addNewPort()
        .withName("metrics")
        .withContainerPort(9090)
        .endPort();
  }
}
