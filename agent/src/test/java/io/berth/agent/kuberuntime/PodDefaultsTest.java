package io.berth.agent.kuberuntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PodDefaultsTest {
  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource({
    "busybox,Always",
    "busybox:latest,Always",
    "docker.io/library/busybox:1.36,IfNotPresent",
    "localhost:5000/app,Always",
    "localhost:5000/app:v2,IfNotPresent",
    "app@sha256:0123,IfNotPresent",
    "app:latest@sha256:0123,Always",
    "'',IfNotPresent"
  })
  void pullPolicyFromTheTag(String image, String want) {
    assertThat(PodDefaults.defaultPullPolicy(image)).isEqualTo(want);
  }

  @Test
  void fillsTheApiServersDefaultsWithoutTouchingTheInput() {
    Pod raw =
        new PodBuilder()
            .withNewMetadata()
            .withName("p")
            .withNamespace("ns")
            .withUid("u")
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("c")
            .withImage("busybox")
            .addNewPort()
            .withContainerPort(80)
            .endPort()
            .withNewResources()
            .withLimits(Map.of("cpu", new Quantity("1")))
            .endResources()
            .endContainer()
            .endSpec()
            .build();
    Pod pod = PodDefaults.apply(raw);
    var c = pod.getSpec().getContainers().get(0);
    assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Always");
    assertThat(pod.getSpec().getDnsPolicy()).isEqualTo("ClusterFirst");
    assertThat(pod.getSpec().getTerminationGracePeriodSeconds()).isEqualTo(30L);
    assertThat(pod.getSpec().getSecurityContext()).isNotNull();
    assertThat(c.getImagePullPolicy()).isEqualTo("Always");
    assertThat(c.getTerminationMessagePath()).isEqualTo("/dev/termination-log");
    assertThat(c.getTerminationMessagePolicy()).isEqualTo("File");
    assertThat(c.getPorts().get(0).getProtocol()).isEqualTo("TCP");
    assertThat(c.getResources().getRequests()).containsEntry("cpu", new Quantity("1"));
    assertThat(raw.getSpec().getRestartPolicy()).isNull();
    assertThat(raw.getSpec().getContainers().get(0).getImagePullPolicy()).isNull();
    assertThat(PodDefaults.apply(pod)).isEqualTo(pod);
  }
}
