package io.berth.agent.pod;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodStartLatencyTest {
  static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
  final List<String> seen = new ArrayList<>();
  final PodStartLatency latency = new PodStartLatency((sli, total) -> seen.add(sli + " " + total));

  static PodStatus status(boolean running) {
    var state =
        running
            ? new ContainerStateBuilder().withNewRunning().endRunning().build()
            : new ContainerStateBuilder()
                .withNewWaiting()
                .withReason("ContainerCreating")
                .endWaiting()
                .build();
    return new PodStatusBuilder()
        .withContainerStatuses(new ContainerStatusBuilder().withName("c").withState(state).build())
        .build();
  }

  @Test
  void firstSeenToAllRunningWithAndWithoutPulls() {
    latency.syncStarts("u", false, T0);
    latency.statusComputed("u", status(false), T0.plusMillis(100));
    latency.syncStarts("u", false, T0.plusMillis(200));
    latency.pulled("u", Duration.ofMillis(700));
    latency.statusComputed("u", status(false), T0.plusMillis(900));
    latency.statusComputed("u", status(true), T0.plusMillis(1200));
    latency.statusComputed("u", status(true), T0.plusMillis(5000));

    assertThat(seen).containsExactly("PT0.5S PT1.2S");
  }

  @Test
  void anAdoptedRunningPodIsNotCounted() {
    latency.syncStarts("adopted", true, T0);
    latency.statusComputed("adopted", status(true), T0);
    latency.statusComputed("adopted", status(true), T0.plusSeconds(1));

    assertThat(seen).isEmpty();
  }
}
