package io.berth.agent.kuberuntime;

import static io.berth.agent.kuberuntime.TestPods.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpecHashTest {
  final SpecHash hash = new SpecHash();

  /** A container with most fields set; its hash is pinned below. */
  static Container golden() {
    Map<String, Quantity> limits = new LinkedHashMap<>();
    limits.put("memory", new Quantity("128Mi"));
    limits.put("cpu", new Quantity("500m"));
    return new ContainerBuilder()
        .withName("app")
        .withImage("docker.io/library/busybox:1.36")
        .withImagePullPolicy("IfNotPresent")
        .withCommand("/bin/sh", "-c")
        .withArgs("echo $(GREETING); sleep 3600")
        .withEnv(new EnvVar("GREETING", "hello", null))
        .withWorkingDir("/tmp")
        .addNewPort()
        .withName("http")
        .withContainerPort(8080)
        .withProtocol("TCP")
        .endPort()
        .withNewResources()
        .withLimits(limits)
        .withRequests(Map.of("cpu", new Quantity("250m")))
        .endResources()
        .withTerminationMessagePath("/dev/termination-log")
        .withTerminationMessagePolicy("File")
        .build();
  }

  /**
   * The golden value: a change here means every running container would be recreated after an
   * upgrade of berth. Change it only on purpose.
   */
  @Test
  void goldenValueIsStableAcrossRuns() {
    assertThat(hash.of(golden())).isEqualTo("0d7008c6e81c7c80");
    assertThat(hash.canonicalJson(golden()))
        .isEqualTo(
            "{\"args\":[\"echo $(GREETING); sleep 3600\"],\"command\":[\"/bin/sh\",\"-c\"],"
                + "\"env\":[{\"name\":\"GREETING\",\"value\":\"hello\"}],"
                + "\"image\":\"docker.io/library/busybox:1.36\",\"imagePullPolicy\":\"IfNotPresent\","
                + "\"name\":\"app\",\"ports\":[{\"containerPort\":8080,\"name\":\"http\",\"protocol\":\"TCP\"}],"
                + "\"resources\":{\"limits\":{\"cpu\":\"500m\",\"memory\":\"128Mi\"},"
                + "\"requests\":{\"cpu\":\"250m\"}},"
                + "\"terminationMessagePath\":\"/dev/termination-log\","
                + "\"terminationMessagePolicy\":\"File\",\"workingDir\":\"/tmp\"}");
  }

  @Test
  void mapOrderAndEmptyCollectionsDoNotMatter() {
    Container a = golden();
    Container b = new ContainerBuilder(golden()).withVolumeMounts(List.of()).build();
    Map<String, Quantity> reversed = new LinkedHashMap<>();
    reversed.put("cpu", new Quantity("500m"));
    reversed.put("memory", new Quantity("128Mi"));
    b.getResources().setLimits(reversed);
    assertThat(hash.of(b)).isEqualTo(hash.of(a));
    assertThat(new SpecHash().of(a)).isEqualTo(hash.of(a));
  }

  @Test
  void anySpecChangeChangesTheHash() {
    String base = hash.of(golden());
    assertThat(hash.of(new ContainerBuilder(golden()).withImage("busybox:1.37").build()))
        .isNotEqualTo(base);
    assertThat(hash.of(new ContainerBuilder(golden()).withArgs("other").build()))
        .isNotEqualTo(base);
    assertThat(hash.of(new ContainerBuilder(golden()).withEnv(new EnvVar("X", "1", null)).build()))
        .isNotEqualTo(base);
    assertThat(hash.of(new ContainerBuilder(golden()).withNewResources().endResources().build()))
        .isNotEqualTo(base);
    assertThat(hash.of(new ContainerBuilder(golden()).withName("app2").build())).isNotEqualTo(base);
    assertThat(base).hasSize(16).matches("[0-9a-f]{16}");
  }

  @Test
  void defaultingDoesNotChangeTheHashOfADefaultedContainer() {
    Container c = pod(List.of(golden()), List.of()).getSpec().getContainers().get(0);
    Container again =
        PodDefaults.apply(pod(List.of(c), List.of())).getSpec().getContainers().get(0);
    assertThat(hash.of(again)).isEqualTo(hash.of(c));
  }
}
