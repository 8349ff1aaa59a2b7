package io.berth.agent.shutdown;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShutdownGroupTest {

  static Pod pod(String name, Integer priority, String priorityClass, Long grace) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace("default")
        .withName(name)
        .withUid("uid-" + name)
        .endMetadata()
        .withNewSpec()
        .withPriority(priority)
        .withPriorityClassName(priorityClass)
        .withTerminationGracePeriodSeconds(grace)
        .endSpec()
        .build();
  }

  private static NodeShutdownSettings settings(long grace, long critical) {
    return NodeShutdownSettings.off()
        .withBusAddress("unix:path=/x")
        .withGrace(Duration.ofSeconds(grace), Duration.ofSeconds(critical));
  }

  @Test
  void theTwoKubeletGroupsSplitTheGracePeriod() {
    assertThat(ShutdownGroup.of(settings(30, 10)))
        .containsExactly(
            new ShutdownGroup(0, Duration.ofSeconds(20)),
            new ShutdownGroup(ShutdownGroup.SYSTEM_CRITICAL, Duration.ofSeconds(10)));
    assertThat(ShutdownGroup.of(settings(30, 0)))
        .containsExactly(
            new ShutdownGroup(0, Duration.ofSeconds(30)),
            new ShutdownGroup(ShutdownGroup.SYSTEM_CRITICAL, Duration.ZERO));
    assertThat(ShutdownGroup.of(NodeShutdownSettings.off())).isEmpty();
  }

  @Test
  void podsGoToTheHighestGroupAtOrBelowTheirPriority() {
    Pod low = pod("low", -5, null, null);
    Pod plain = pod("plain", null, null, null);
    Pod high = pod("high", 1_000_000, null, null);
    Pod clusterCritical = pod("cc", null, "system-cluster-critical", null);
    Pod nodeCritical = pod("nc", null, "system-node-critical", null);
    Pod explicit = pod("explicit", 2_000_000_000, null, null);
    List<List<Pod>> groups =
        ShutdownGroup.assign(
            ShutdownGroup.of(settings(30, 10)),
            List.of(low, plain, high, clusterCritical, nodeCritical, explicit));
    assertThat(groups.get(0)).containsExactly(low, plain, high);
    assertThat(groups.get(1)).containsExactly(clusterCritical, nodeCritical, explicit);
  }

  @Test
  void aPodsOwnShorterGracePeriodWins() {
    ShutdownGroup g = new ShutdownGroup(0, Duration.ofSeconds(20));
    assertThat(NodeShutdownManager.graceFor(pod("a", null, null, 5L), g))
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(NodeShutdownManager.graceFor(pod("b", null, null, 60L), g))
        .isEqualTo(Duration.ofSeconds(20));
    assertThat(NodeShutdownManager.graceFor(pod("c", null, null, null), g))
        .isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  void explicitGroupsBySortedPriorityReplaceTheTwoDefaultOnes() {
    NodeShutdownSettings s =
        new NodeShutdownSettings(
            Duration.ZERO,
            Duration.ZERO,
            "unix:path=/x",
            List.of(
                new ShutdownGroup(100_000, Duration.ofSeconds(20)),
                new ShutdownGroup(0, Duration.ofSeconds(30)),
                new ShutdownGroup(ShutdownGroup.SYSTEM_CRITICAL, Duration.ofSeconds(5))));
    assertThat(s.enabled()).isTrue();
    assertThat(s.totalGracePeriod()).isEqualTo(Duration.ofSeconds(55));
    List<ShutdownGroup> groups = ShutdownGroup.of(s);
    assertThat(groups)
        .extracting(ShutdownGroup::priority)
        .containsExactly(0, 100_000, 2_000_000_000);
    Pod batch = pod("batch", 10, null, null);
    Pod web = pod("web", 100_000, null, null);
    Pod dns = pod("dns", null, "system-node-critical", null);
    assertThat(ShutdownGroup.assign(groups, List.of(dns, web, batch)))
        .containsExactly(List.of(batch), List.of(web), List.of(dns));
  }
}
