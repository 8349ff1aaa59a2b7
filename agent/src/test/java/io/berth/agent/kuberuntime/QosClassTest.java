package io.berth.agent.kuberuntime;

import static io.berth.agent.kuberuntime.TestPods.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Cases in the spirit of pkg/apis/core/v1/helper/qos/qos_test.go (pods as given, undefaulted). */
class QosClassTest {
  static Pod raw(List<Container> containers, List<Container> inits) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("p")
        .withNamespace("ns")
        .withUid("u")
        .endMetadata()
        .withNewSpec()
        .withContainers(containers)
        .withInitContainers(inits)
        .endSpec()
        .build();
  }

  static Container r(String cpuReq, String memReq, String cpuLim, String memLim) {
    return resources(
        "c" + Math.abs((cpuReq + memReq + cpuLim + memLim).hashCode()),
        cpuReq,
        memReq,
        cpuLim,
        memLim);
  }

  static Arguments a(String name, Pod pod, QosClass want) {
    return Arguments.of(name, pod, want);
  }

  static Stream<Arguments> cases() {
    Container gpu =
        new ContainerBuilder(container("gpu"))
            .withNewResources()
            .withLimits(Map.of("nvidia.com/gpu", new Quantity("1")))
            .withRequests(Map.of("nvidia.com/gpu", new Quantity("1")))
            .endResources()
            .build();
    return Stream.of(
        a(
            "best-effort: no resources",
            raw(List.of(container("a"), container("b")), List.of()),
            QosClass.BEST_EFFORT),
        a(
            "best-effort: zero quantities",
            raw(List.of(r("0", "0", "0", "0")), List.of()),
            QosClass.BEST_EFFORT),
        a(
            "best-effort: only extended resources",
            raw(List.of(gpu), List.of()),
            QosClass.BEST_EFFORT),
        a(
            "guaranteed",
            raw(List.of(r("100m", "100Mi", "100m", "100Mi")), List.of()),
            QosClass.GUARANTEED),
        a(
            "guaranteed: equal in other units",
            raw(List.of(r("0.1", "100Mi", "100m", "104857600")), List.of()),
            QosClass.GUARANTEED),
        a(
            "guaranteed: two containers",
            raw(List.of(r("100m", "100Mi", "100m", "100Mi"), r("1", "1Gi", "1", "1Gi")), List.of()),
            QosClass.GUARANTEED),
        a(
            "guaranteed: with a guaranteed init container",
            raw(List.of(r("100m", "100Mi", "100m", "100Mi")), List.of(r("1", "1Gi", "1", "1Gi"))),
            QosClass.GUARANTEED),
        a(
            "burstable: request only",
            raw(List.of(r("100m", null, null, null)), List.of()),
            QosClass.BURSTABLE),
        a(
            "burstable: requests below limits",
            raw(List.of(r("100m", "100Mi", "200m", "200Mi")), List.of()),
            QosClass.BURSTABLE),
        a(
            "burstable: memory limit missing",
            raw(List.of(r("100m", "100Mi", "100m", null)), List.of()),
            QosClass.BURSTABLE),
        a(
            "burstable: one best-effort container",
            raw(List.of(r("100m", "100Mi", "100m", "100Mi"), container("b")), List.of()),
            QosClass.BURSTABLE),
        a(
            "burstable: best-effort containers, burstable init container",
            raw(List.of(container("a")), List.of(r("100m", null, null, null))),
            QosClass.BURSTABLE),
        a(
            "burstable: limits without requests before API defaulting",
            raw(List.of(r(null, null, "100m", "100Mi")), List.of()),
            QosClass.BURSTABLE),
        a(
            "guaranteed: limits without requests after API defaulting",
            PodDefaults.apply(raw(List.of(r(null, null, "100m", "100Mi")), List.of())),
            QosClass.GUARANTEED));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void computesTheQosClass(String name, Pod pod, QosClass want) {
    assertThat(QosClass.of(pod)).isEqualTo(want);
  }
}
