package io.berth.agent.pod;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.config.ConfigSource;
import io.berth.agent.config.PodUpdate;
import io.berth.agent.testing.FakeClock;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Config updates, PLEG events and orphan cleanup reach the workers as the kubelet routes them. */
class PodDispatcherTest {
  final PodWorkersTest.GatedSyncer syncer = new PodWorkersTest.GatedSyncer();
  final FakeClock clock = new FakeClock(Instant.parse("2026-11-24T09:00:00Z"));
  final PodWorkers workers = new PodWorkers(syncer, clock);
  final AtomicBoolean ready = new AtomicBoolean();
  PodLifecycleEventGenerator.RuntimePods inRuntime =
      new PodLifecycleEventGenerator.RuntimePods(Set.of(), Instant.EPOCH);
  Set<String> configured = Set.of();
  final PodDispatcher dispatcher =
      new PodDispatcher(workers, () -> inRuntime, () -> configured, ready::get);

  @AfterEach
  void close() {
    workers.close();
  }

  @Test
  void addSyncsRemoveTerminatesWithTheSpecsGracePeriod() throws Exception {
    Pod pod = PodWorkersTest.pod("v1");
    pod.getSpec().setTerminationGracePeriodSeconds(7L);
    dispatcher.podUpdate(new PodUpdate.Add(ConfigSource.FILE, List.of(pod)));
    assertThat(syncer.next()).isEqualTo("sync v1");
    dispatcher.lifecycleEvent(
        new PodLifecycleEvent(PodWorkersTest.UID, PodLifecycleEvent.Type.CONTAINER_DIED, "c1"));
    assertThat(syncer.next()).isEqualTo("sync v1");
    dispatcher.podUpdate(new PodUpdate.Remove(ConfigSource.FILE, List.of(pod)));
    assertThat(syncer.next()).isEqualTo("terminate v1 PT7S");
  }

  @Test
  void orphansAreTerminatedOnlyOnceAllSourcesAreReady() throws Exception {
    inRuntime =
        new PodLifecycleEventGenerator.RuntimePods(
            Set.of("orphan", "claimed-not-yet-dispatched"), clock.instant());
    configured = Set.of("claimed-not-yet-dispatched");
    dispatcher.housekeep();
    assertThat(workers.knownUids()).isEmpty();

    ready.set(true);
    dispatcher.housekeep();
    assertThat(syncer.next()).isEqualTo("terminate - PT30S");
    assertThat(syncer.events).isEmpty();
  }

  @Test
  void aPodTerminatedAfterTheLastRelistIsNoOrphan() throws Exception {
    ready.set(true);
    dispatcher.podUpdate(new PodUpdate.Add(ConfigSource.FILE, List.of(PodWorkersTest.pod("v1"))));
    assertThat(syncer.next()).isEqualTo("sync v1");
    inRuntime =
        new PodLifecycleEventGenerator.RuntimePods(Set.of(PodWorkersTest.UID), clock.instant());
    clock.advance(Duration.ofMillis(500));
    dispatcher.podUpdate(
        new PodUpdate.Remove(ConfigSource.FILE, List.of(PodWorkersTest.pod("v1"))));
    assertThat(syncer.next()).isEqualTo("terminate v1 PT30S");
    PodWorkersTest.await(() -> workers.state(PodWorkersTest.UID).isEmpty());

    dispatcher.housekeep(); // the listing predates the termination: not an orphan
    assertThat(workers.knownUids()).isEmpty();

    clock.advance(Duration.ofSeconds(1)); // a later listing still has it: now it is one
    inRuntime =
        new PodLifecycleEventGenerator.RuntimePods(Set.of(PodWorkersTest.UID), clock.instant());
    dispatcher.housekeep();
    assertThat(syncer.next()).isEqualTo("terminate - PT30S");
  }

  @Test
  void aSetTerminatesPodsItNoLongerHas() throws Exception {
    dispatcher.podUpdate(new PodUpdate.Add(ConfigSource.FILE, List.of(PodWorkersTest.pod("v1"))));
    assertThat(syncer.next()).isEqualTo("sync v1");
    dispatcher.podUpdate(new PodUpdate.Set(List.of()));
    assertThat(syncer.next()).isEqualTo("terminate v1 PT30S");
  }

  @Test
  void aSetTerminatesADroppedPodWithItsOwnGracePeriod() throws Exception {
    Pod pod = PodWorkersTest.pod("v1");
    pod.getSpec().setTerminationGracePeriodSeconds(3L);
    dispatcher.podUpdate(new PodUpdate.Add(ConfigSource.FILE, List.of(pod)));
    assertThat(syncer.next()).isEqualTo("sync v1");
    dispatcher.podUpdate(new PodUpdate.Set(List.of()));
    assertThat(syncer.next()).isEqualTo("terminate v1 PT3S");
  }
}
