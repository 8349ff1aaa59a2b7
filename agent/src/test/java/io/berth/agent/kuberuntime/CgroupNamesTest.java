package io.berth.agent.kuberuntime;

import static io.berth.agent.kuberuntime.TestPods.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CgroupNamesTest {
  @Test
  void podCgroupParentPerQosClass() {
    var names = CgroupNames.defaults();
    assertThat(
            names.podCgroupParent(pod(List.of(resources("c", "1", "1Gi", "1", "1Gi")), List.of())))
        .isEqualTo("/kubepods/pod" + UID);
    assertThat(
            names.podCgroupParent(pod(List.of(resources("c", "1", null, null, null)), List.of())))
        .isEqualTo("/kubepods/burstable/pod" + UID);
    assertThat(names.podCgroupParent(basicPod())).isEqualTo("/kubepods/besteffort/pod" + UID);
  }

  @Test
  void rootIsConfigurable() {
    var names = new CgroupNames("/berth-test-42/");
    assertThat(names.podCgroupParent(basicPod())).isEqualTo("/berth-test-42/besteffort/pod" + UID);
    assertThat(new CgroupNames("/").podCgroupParent(basicPod())).isEqualTo("/besteffort/pod" + UID);
    assertThat(new CgroupNames("/").qosCgroup(QosClass.GUARANTEED)).isEqualTo("/");
    assertThatThrownBy(() -> new CgroupNames("kubepods")).hasMessageContaining("absolute");
  }
}
