package io.berth.agent.nodeconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.agent.node.NodeRegistration;
import io.berth.metrics.node.EvictionThreshold;
import io.fabric8.kubernetes.api.model.Quantity;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeRegistrationFieldsTest {
  private static BerthConfig parse(String kubeletFields) {
    return ConfigFile.parse(
        Path.of("/etc/berth/config.yaml"),
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n" + kubeletFields);
  }

  @Test
  void taintsLabelsReservationsAndEvictionAreRead() {
    BerthConfig c =
        parse(
            """
            registerWithTaints:
            - {key: dedicated, value: gpu, effect: NoSchedule}
            - {key: example.com/drain, effect: NoExecute}
            nodeLabels: {topology.kubernetes.io/zone: zone-a}
            kubeReserved: {cpu: 100m, memory: 256Mi}
            systemReserved: {cpu: "0.5", memory: 128Mi, ephemeral-storage: 1Gi}
            evictionHard: {memory.available: 200Mi, nodefs.available: "5%"}
            """);
    assertThat(c.warnings()).isEmpty();
    NodeRegistration n = c.node();
    assertThat(n.taints())
        .extracting(t -> t.getKey() + "=" + t.getValue() + ":" + t.getEffect())
        .containsExactly("dedicated=gpu:NoSchedule", "example.com/drain=null:NoExecute");
    assertThat(n.labels()).isEqualTo(Map.of("topology.kubernetes.io/zone", "zone-a"));
    assertThat(n.kubeReserved()).containsEntry("memory", new Quantity("256Mi"));
    assertThat(n.evictionHard())
        .containsExactly(
            new EvictionThreshold(
                EvictionThreshold.Signal.MEMORY_AVAILABLE,
                new EvictionThreshold.Quantity(200L << 20)),
            new EvictionThreshold(
                EvictionThreshold.Signal.NODEFS_AVAILABLE, new EvictionThreshold.Percentage(5)));
  }

  @Test
  void withoutTheFieldsTheKubeletDefaultsApply() {
    assertThat(parse("").node()).isEqualTo(NodeRegistration.defaults());
    assertThat(NodeRegistration.defaults().evictionHard())
        .isEqualTo(EvictionThreshold.kubeletDefaults());
  }

  @Test
  void invalidValuesAreRefusedWithTheirPath() {
    assertThatThrownBy(
            () ->
                parse(
                    """
                    registerWithTaints:
                    - {key: "bad key", effect: NoSchedule}
                    - {key: ok, effect: Sometimes}
                    kubeReserved: {cpu: lots, gpu: "1"}
                    evictionHard: {memory.available: "120%", memory.free: 1Gi}
                    nodeLabels: {zone: "no spaces"}
                    """))
        .isInstanceOf(ConfigException.class)
        .satisfies(
            e ->
                assertThat(((ConfigException) e).problems())
                    .extracting(ConfigProblem::path)
                    .containsExactlyInAnyOrder(
                        "KubeletConfiguration.registerWithTaints[0].key",
                        "KubeletConfiguration.registerWithTaints[1].effect",
                        "KubeletConfiguration.kubeReserved.cpu",
                        "KubeletConfiguration.kubeReserved.gpu",
                        "KubeletConfiguration.evictionHard.memory.available",
                        "KubeletConfiguration.evictionHard.memory.free",
                        "KubeletConfiguration.nodeLabels.zone"));
  }

  @Test
  void allocatableIsCapacityLessReservationsAndHardEviction() {
    NodeRegistration n =
        parse(
                """
                kubeReserved: {cpu: 100m, memory: 256Mi}
                systemReserved: {cpu: 500m, memory: 128Mi, ephemeral-storage: 1Gi}
                evictionHard: {memory.available: 200Mi, nodefs.available: "5%"}
                """)
            .node();
    NodeRegistration.Allocatable a = n.allocatable(2000, 4L << 30, 100L << 30);
    assertThat(a.cpuMillis()).isEqualTo(1400);
    assertThat(a.memoryBytes()).isEqualTo((4L << 30) - (256L << 20) - (128L << 20) - (200L << 20));
    assertThat(a.ephemeralStorageBytes()).isEqualTo((100L << 30) - (1L << 30) - (5L << 30));
    assertThat(NodeRegistration.defaults().allocatable(2000, 4L << 30, 100L << 30))
        .as("the kubelet's defaults: 100Mi memory and 10% nodefs held back")
        .isEqualTo(new NodeRegistration.Allocatable(2000, (4L << 30) - (100L << 20), 90L << 30));
    assertThat(n.allocatable(500, 100L << 20, 0))
        .as("never below zero")
        .isEqualTo(new NodeRegistration.Allocatable(0, 0, 0));
    assertThat(List.of(n.allocatable(2000, 4L << 30, 0).ephemeralStorageBytes()))
        .containsExactly(0L);
  }
}
