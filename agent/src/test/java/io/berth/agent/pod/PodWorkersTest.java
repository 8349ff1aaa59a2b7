package io.berth.agent.pod;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.testing.FakeClock;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The latest-wins slot and the syncing → terminating → terminated lifecycle, with a fake syncer.
 */
class PodWorkersTest {
  static final String UID = "uid-1";
  final GatedSyncer syncer = new GatedSyncer();
  final FakeClock clock = new FakeClock(java.time.Instant.parse("2026-11-24T09:00:00Z"));
  final PodWorkers workers = new PodWorkers(syncer, clock);

  @AfterEach
  void close() {
    syncer.open();
    workers.close();
  }

  @Test
  void specsArrivingDuringASyncCollapseToTheNewest() throws Exception {
    syncer.gate = new CountDownLatch(1);
    workers.sync(pod("v1"));
    assertThat(syncer.next()).isEqualTo("sync v1"); // now blocked inside syncPod(v1)
    workers.sync(pod("v2"));
    workers.sync(pod("v3"));
    syncer.open();
    assertThat(syncer.next()).isEqualTo("sync v3"); // v2 was never synced
    workers.terminate(UID, Optional.empty(), Duration.ofSeconds(5));
    assertThat(syncer.next()).isEqualTo("terminate v3 PT5S");
  }

  @Test
  void resyncWakesTheWorkerWithTheCurrentSpec() throws Exception {
    workers.sync(pod("v1"));
    assertThat(syncer.next()).isEqualTo("sync v1");
    workers.resync(UID);
    assertThat(syncer.next()).isEqualTo("sync v1");
    workers.resync("someone-else"); // unknown pods are ignored
    assertThat(workers.knownUids()).containsExactly(UID);
  }

  @Test
  void aRuntimeEventStillNewsWakesTheWorker() throws Exception {
    workers.sync(pod("v1"));
    assertThat(syncer.next()).isEqualTo("sync v1");
    workers.resyncIf(UID, () -> true);
    assertThat(syncer.next()).isEqualTo("sync v1");
  }

  @Test
  void aRuntimeEventTheRunningSyncAlreadySawCostsNoSecondSync() throws Exception {
    syncer.gate = new CountDownLatch(1);
    workers.sync(pod("v1"));
    assertThat(syncer.next()).isEqualTo("sync v1"); // blocked inside syncPod(v1)
    java.util.concurrent.atomic.AtomicBoolean judged =
        new java.util.concurrent.atomic.AtomicBoolean();
    workers.resyncIf(
        UID,
        () -> {
          judged.set(true);
          return false; // what the event reports is what the sync read back
        });
    assertThat(judged).as("judged only once the sync is over").isFalse();
    syncer.open();
    await(judged::get);
    workers.sync(pod("v2"));
    assertThat(syncer.next()).as("no sync of v1 in between").isEqualTo("sync v2");
  }

  @Test
  void lifecycleGoesSyncingTerminatingTerminated() throws Exception {
    workers.sync(pod("v1"));
    assertThat(syncer.next()).isEqualTo("sync v1");
    assertThat(workers.state(UID)).contains(PodWorkers.State.SYNCING);
    assertThat(workers.couldHaveRunningContainers(UID)).isTrue();
    assertThat(workers.isTerminationRequested(UID)).isFalse();

    syncer.gate = new CountDownLatch(1);
    workers.terminate(UID, Optional.of(pod("v1")), Duration.ofSeconds(30));
    assertThat(syncer.next()).isEqualTo("terminate v1 PT30S");
    assertThat(workers.state(UID)).contains(PodWorkers.State.TERMINATING);
    assertThat(workers.couldHaveRunningContainers(UID)).isTrue();
    assertThat(workers.isTerminationRequested(UID)).isTrue();
    workers.terminate(UID, Optional.of(pod("v1")), Duration.ofSeconds(1)); // shortens only

    syncer.open();
    await(() -> workers.state(UID).isEmpty());
    assertThat(workers.couldHaveRunningContainers(UID)).isFalse();
    assertThat(workers.terminatedSince(UID, clock.instant())).isTrue();
    assertThat(workers.terminatedSince(UID, clock.instant().plusSeconds(1))).isFalse();
    assertThat(workers.knownUids()).isEmpty();
    assertThat(syncer.events).isEmpty(); // no sync after termination
  }

  @Test
  void aPodAskedForWhileTerminatingStartsAgainAfterwards() throws Exception {
    workers.sync(pod("v1"));
    assertThat(syncer.next()).isEqualTo("sync v1");
    syncer.gate = new CountDownLatch(1);
    workers.terminate(UID, Optional.of(pod("v1")), Duration.ofSeconds(2));
    assertThat(syncer.next()).isEqualTo("terminate v1 PT2S");
    workers.sync(pod("v2")); // the manifest came back while the old one stops
    syncer.open();
    assertThat(syncer.next()).isEqualTo("sync v2");
    assertThat(workers.state(UID)).contains(PodWorkers.State.SYNCING);
  }

  @Test
  void orphansGetATerminatingOnlyWorker() throws Exception {
    workers.terminate("orphan", Optional.empty(), Duration.ofSeconds(3));
    assertThat(syncer.next()).isEqualTo("terminate - PT3S");
    await(() -> workers.state("orphan").isEmpty());
  }

  static Pod pod(String version) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("web")
        .withNamespace("default")
        .withUid(UID)
        .addToLabels("version", version)
        .endMetadata()
        .withNewSpec()
        .endSpec()
        .build();
  }

  /** Waits for another thread to get somewhere; no timer involved. */
  static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached within 5 s");
      }
      Thread.sleep(1);
    }
  }

  /** Records every call; a call blocks while {@link #gate} is closed. */
  static final class GatedSyncer implements PodSyncer {
    final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    volatile CountDownLatch gate = new CountDownLatch(0);

    void open() {
      gate.countDown();
    }

    String next() throws InterruptedException {
      String e = events.poll(5, TimeUnit.SECONDS);
      assertThat(e).as("next worker call").isNotNull();
      return e;
    }

    @Override
    public Duration syncPod(Pod pod) {
      CountDownLatch g = gate; // read before reporting, so a test may swap it afterwards
      events.add("sync " + pod.getMetadata().getLabels().get("version"));
      awaitGate(g);
      return Duration.ofDays(1); // no timed resync during the test
    }

    @Override
    public void terminatePod(String uid, Optional<Pod> pod, Duration gracePeriod) {
      CountDownLatch g = gate;
      events.add(
          "terminate "
              + pod.map(p -> p.getMetadata().getLabels().get("version")).orElse("-")
              + " "
              + gracePeriod);
      awaitGate(g);
    }

    private static void awaitGate(CountDownLatch g) {
      try {
        g.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
