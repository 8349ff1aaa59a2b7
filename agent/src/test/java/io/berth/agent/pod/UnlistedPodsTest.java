package io.berth.agent.pod;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class UnlistedPodsTest {
  private final AtomicReference<PodLifecycleEventGenerator.RuntimePods> relist =
      new AtomicReference<>(new PodLifecycleEventGenerator.RuntimePods(Set.of(), Instant.EPOCH));
  private final UnlistedPods unlisted = new UnlistedPods(relist::get);

  @Test
  void beforeTheFirstRelistEveryPodIsListed() {
    assertThat(unlisted.surelyEmpty("new")).isFalse();
  }

  @Test
  void aPodTheLastRelistDidNotSeeIsEmptyUntilItsWorkerCreatesSomething() {
    relist.set(
        new PodLifecycleEventGenerator.RuntimePods(
            Set.of("old"), Instant.parse("2026-11-24T18:00:00Z")));

    assertThat(unlisted.surelyEmpty("old")).isFalse();
    assertThat(unlisted.surelyEmpty("new")).isTrue();

    unlisted.creating("new");
    assertThat(unlisted.surelyEmpty("new")).as("made after the relist").isFalse();

    unlisted.removed("new");
    assertThat(unlisted.surelyEmpty("new")).isTrue();
  }

  @Test
  void neverVouchesForAnyPod() {
    assertThat(UnlistedPods.never().surelyEmpty("any")).isFalse();
  }
}
