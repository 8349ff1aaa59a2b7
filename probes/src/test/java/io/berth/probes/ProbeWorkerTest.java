package io.berth.probes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.probes.ProbeResult.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** Scheduling and threshold logic of probe workers, on a manual clock: nothing sleeps. */
class ProbeWorkerTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final PodRef POD = new PodRef("uid-1", "ns", "web");
  static final ProbeHandler LIVE = ProbeHandler.Tcp.of(8080);
  static final ProbeHandler READY = ProbeHandler.Http.get(8080, "/ready");
  static final ProbeHandler START = new ProbeHandler.Exec(List.of("cat", "/started"));
  static final RandomGenerator NO_JITTER = () -> 0L;

  final ManualProbeScheduler sched = new ManualProbeScheduler(T0);
  final FakeProber prober = new FakeProber(sched);
  final ProbeResults results = new ProbeResults();
  final ProbeManager manager =
      new ProbeManager(prober, results, new ProbeMetrics(), sched, NO_JITTER);
  final List<ProbeUpdate> updates = new ArrayList<>();

  private List<ProbeUpdate> drain() {
    results.drainTo(updates);
    return updates;
  }

  private void start(ContainerProbes probes) {
    manager.addContainer(POD, "app", probes);
    manager.updateContainer("uid-1", "app", ContainerState.running("c1", T0, "10.0.0.7"));
    sched.runDue();
  }

  private Optional<Outcome> result(String containerId, ProbeType type) {
    return results.get(containerId, type);
  }

  private static List<Long> seconds(List<FakeProber.Call> calls) {
    return calls.stream().map(c -> Duration.between(T0, c.at()).toSeconds()).toList();
  }

  @Test
  void readinessIsFalseUntilTheFirstSuccess() {
    manager.addContainer(POD, "app", ContainerProbes.none().withReadiness(ProbeSpec.of(READY)));
    sched.runDue();
    assertThat(result("c1", ProbeType.READINESS)).isEmpty();
    assertThat(prober.calls()).isEmpty(); // No container state yet: nothing to probe.

    manager.updateContainer("uid-1", "app", ContainerState.running("c1", T0, "10.0.0.7"));
    sched.advanceSeconds(10);
    assertThat(drain())
        .extracting(u -> u.result().outcome())
        .containsExactly(Outcome.FAILURE, Outcome.SUCCESS);
    assertThat(drain().get(1).ready()).isTrue();
    assertThat(prober.calls().get(0).target().podIp()).isEqualTo("10.0.0.7");
  }

  @Test
  void initialDelayCountsWholeSecondsFromContainerStart() {
    start(ContainerProbes.none().withReadiness(ProbeSpec.of(READY).withInitialDelaySeconds(15)));
    sched.advanceSeconds(19);
    assertThat(prober.calls()).isEmpty();
    assertThat(result("c1", ProbeType.READINESS)).contains(Outcome.FAILURE);
    sched.advanceSeconds(1);
    assertThat(seconds(prober.calls())).containsExactly(20L); // Ticks at 0, 10: too early.
  }

  @Test
  void periodDrivesProbes() {
    start(ContainerProbes.none().withReadiness(ProbeSpec.of(READY).withPeriodSeconds(5)));
    sched.advanceSeconds(60);
    assertThat(seconds(prober.calls()))
        .containsExactly(0L, 5L, 10L, 15L, 20L, 25L, 30L, 35L, 40L, 45L, 50L, 55L, 60L);
  }

  @Test
  void livenessFailsAfterThresholdThenHoldsUntilNewContainerId() {
    prober.answer(h -> ProbeResult.failure("connection refused"));
    start(
        ContainerProbes.none()
            .withLiveness(ProbeSpec.of(LIVE).withTerminationGracePeriodSeconds(5)));
    sched.advanceSeconds(19);
    assertThat(drain()).extracting(u -> u.result().outcome()).containsExactly(Outcome.SUCCESS);
    sched.advanceSeconds(1);
    var restart = drain().get(1);
    assertThat(restart.restartContainer()).isTrue();
    assertThat(restart.terminationGracePeriodSeconds()).hasValue(5);
    assertThat(restart.result().message()).isEqualTo("connection refused");

    sched.advanceSeconds(100);
    assertThat(seconds(prober.calls())).containsExactly(0L, 10L, 20L);
    assertThat(manager.worker("uid-1", "app", ProbeType.LIVENESS).orElseThrow().onHold()).isTrue();

    manager.updateContainer(
        "uid-1", "app", ContainerState.running("c2", T0.plusSeconds(125), "10.0.0.7"));
    sched.advanceSeconds(10);
    assertThat(seconds(prober.calls())).containsExactly(0L, 10L, 20L, 130L);
    assertThat(result("c1", ProbeType.LIVENESS)).isEmpty();
    assertThat(result("c2", ProbeType.LIVENESS)).contains(Outcome.SUCCESS);
    assertThat(manager.worker("uid-1", "app", ProbeType.LIVENESS).orElseThrow().onHold()).isFalse();
  }

  @Test
  void readinessNeedsSuccessThresholdInARow() {
    var f = ProbeResult.failure("503");
    var s = ProbeResult.success("ok");
    prober.then(READY, f, s, s, f, s, s, s);
    start(
        ContainerProbes.none()
            .withReadiness(ProbeSpec.of(READY).withPeriodSeconds(1).withSuccessThreshold(3)));
    sched.advanceSeconds(5);
    assertThat(result("c1", ProbeType.READINESS)).contains(Outcome.FAILURE);
    sched.advanceSeconds(1);
    assertThat(result("c1", ProbeType.READINESS)).contains(Outcome.SUCCESS);
  }

  @Test
  void readinessFailureDoesNotHold() {
    prober.then(READY, ProbeResult.success(""));
    prober.answer(h -> ProbeResult.failure("500"));
    start(ContainerProbes.none().withReadiness(ProbeSpec.of(READY).withPeriodSeconds(1)));
    sched.advanceSeconds(2);
    assertThat(result("c1", ProbeType.READINESS)).contains(Outcome.SUCCESS);
    sched.advanceSeconds(1);
    assertThat(result("c1", ProbeType.READINESS)).contains(Outcome.FAILURE);
    assertThat(drain().getLast().restartContainer()).isFalse();
    sched.advanceSeconds(10);
    assertThat(prober.calls()).hasSize(14);
  }

  @Test
  void startupGatesLivenessAndReadiness() {
    prober.then(
        START, ProbeResult.failure("no"), ProbeResult.failure("no"), ProbeResult.success(""));
    start(
        ContainerProbes.none()
            .withLiveness(ProbeSpec.of(LIVE))
            .withReadiness(ProbeSpec.of(READY))
            .withStartup(ProbeSpec.of(START).withFailureThreshold(30)));
    sched.advanceSeconds(19);
    assertThat(prober.calls(LIVE)).isEmpty();
    assertThat(prober.calls(READY)).isEmpty();
    assertThat(result("c1", ProbeType.READINESS)).contains(Outcome.FAILURE);
    assertThat(result("c1", ProbeType.STARTUP)).contains(Outcome.UNKNOWN);
    assertThat(manager.isStarted("uid-1", "app", "c1")).isFalse();

    sched.advanceSeconds(1);
    assertThat(manager.isStarted("uid-1", "app", "c1")).isTrue();
    assertThat(seconds(prober.calls(READY))).containsExactly(20L); // Triggered by startup success.
    assertThat(result("c1", ProbeType.READINESS)).contains(Outcome.SUCCESS);
    sched.advanceSeconds(60);
    assertThat(seconds(prober.calls(START))).containsExactly(0L, 10L, 20L);
    assertThat(seconds(prober.calls(LIVE))).containsExactly(30L, 40L, 50L, 60L, 70L, 80L);
  }

  @Test
  void startupFailureRestartsAndHolds() {
    prober.answer(h -> ProbeResult.failure("not yet"));
    start(ContainerProbes.none().withStartup(ProbeSpec.of(START)).withLiveness(ProbeSpec.of(LIVE)));
    sched.advanceSeconds(100);
    assertThat(drain())
        .filteredOn(ProbeUpdate::restartContainer)
        .hasSize(1)
        .allMatch(u -> u.type() == ProbeType.STARTUP);
    assertThat(seconds(prober.calls(START))).containsExactly(0L, 10L, 20L);
    assertThat(prober.calls(LIVE)).isEmpty();
  }

  @Test
  void notRunningContainerIsNotProbedAndNotReady() {
    manager.addContainer(
        POD,
        "app",
        ContainerProbes.none().withReadiness(ProbeSpec.of(READY)).withLiveness(ProbeSpec.of(LIVE)));
    manager.updateContainer("uid-1", "app", ContainerState.exited("c1", "10.0.0.7"));
    sched.advanceSeconds(30);
    assertThat(prober.calls()).isEmpty();
    assertThat(result("c1", ProbeType.READINESS)).contains(Outcome.FAILURE);
    assertThat(drain()).noneMatch(ProbeUpdate::restartContainer);
  }

  @Test
  void firstProbeIsJitteredWithinOnePeriodAfterAgentStart() {
    var jittered =
        new ProbeManager(
            prober, results, new ProbeMetrics(), sched, new java.util.SplittableRandom(7));
    for (int i = 0; i < 100; i++) {
      var pod = new PodRef("uid-" + i, "ns", "p" + i);
      jittered.addContainer(pod, "app", ContainerProbes.none().withLiveness(ProbeSpec.of(LIVE)));
      jittered.updateContainer(pod.uid(), "app", ContainerState.running("c" + i, T0, "10.0.0.7"));
    }
    sched.advance(Duration.ofSeconds(10).minusNanos(1));
    var first = prober.calls().stream().map(FakeProber.Call::at).toList();
    assertThat(first).hasSize(100).allMatch(t -> !t.isBefore(T0) && t.isBefore(T0.plusSeconds(10)));
    assertThat(first.stream().distinct().count()).isGreaterThan(90);
  }

  @Test
  void noJitterWhenAgentStartedMoreThanAPeriodAgo() {
    var m =
        new ProbeManager(
            prober, results, new ProbeMetrics(), sched, new java.util.SplittableRandom(7));
    sched.advanceSeconds(11);
    m.addContainer(POD, "app", ContainerProbes.none().withLiveness(ProbeSpec.of(LIVE)));
    m.updateContainer("uid-1", "app", ContainerState.running("c1", T0, "10.0.0.7"));
    sched.runDue();
    assertThat(seconds(prober.calls())).containsExactly(11L);
  }

  @Test
  void aSlowProbeDelaysTheNextTickInsteadOfOverlapping() {
    var slow = prober.pending(READY);
    start(
        ContainerProbes.none()
            .withReadiness(ProbeSpec.of(READY).withPeriodSeconds(1).withTimeoutSeconds(5)));
    sched.advanceSeconds(3);
    assertThat(prober.calls()).hasSize(1);
    slow.complete(ProbeResult.success(""));
    sched.runDue();
    assertThat(seconds(prober.calls())).containsExactly(0L, 3L);
    sched.advanceSeconds(1);
    assertThat(seconds(prober.calls())).containsExactly(0L, 3L, 4L);
  }

  @Test
  void aTickThatComesATimeoutLateIsShedAndTheNextComesOnThePeriod() {
    start(ContainerProbes.none().withReadiness(ProbeSpec.of(READY).withPeriodSeconds(1)));
    sched.advanceSeconds(2);
    assertThat(seconds(prober.calls())).containsExactly(0L, 1L, 2L);
    sched.stall(Duration.ofMillis(2500)); // the loop thread got no CPU for 2.5 s
    sched.runDue(); // the tick due at 3 s runs at 4.5 s: 1.5 s late, more than the 1 s timeout
    assertThat(seconds(prober.calls())).containsExactly(0L, 1L, 2L);
    sched.advance(Duration.ofMillis(500)); // missed ticks dropped: the next one at 5 s
    assertThat(seconds(prober.calls())).containsExactly(0L, 1L, 2L, 5L);
    sched.stall(Duration.ofMillis(1300)); // the tick due at 6 s runs 0.3 s late: still probed
    sched.runDue();
    assertThat(seconds(prober.calls())).containsExactly(0L, 1L, 2L, 5L, 6L);
  }

  @Test
  void aFailureThatComesWellAfterTheTimeoutIsThrownAway() {
    var late = prober.pending(LIVE);
    start(
        ContainerProbes.none()
            .withLiveness(ProbeSpec.of(LIVE).withPeriodSeconds(1).withFailureThreshold(1)));
    sched.advance(Duration.ofMillis(1600)); // timeout 1 s + 0.5 s: the loop was overloaded
    late.complete(ProbeResult.failure("probe timed out"));
    sched.runDue();
    assertThat(drain()).noneMatch(ProbeUpdate::restartContainer);
    assertThat(result("c1", ProbeType.LIVENESS)).contains(Outcome.SUCCESS);

    prober.then(LIVE, ProbeResult.failure("connection refused")); // on time: counts
    sched.advanceSeconds(2);
    assertThat(drain()).filteredOn(ProbeUpdate::restartContainer).hasSize(1);
    assertThat(ProbeWorker.lateResultBound(ProbeSpec.of(LIVE).withTimeoutSeconds(4)))
        .isEqualTo(Duration.ofSeconds(6));
  }

  @Test
  void whileTheLoopLagsTimeoutsAreExcusedButQuickFailuresCount() {
    var slow = prober.pending(LIVE);
    start(
        ContainerProbes.none()
            .withLiveness(ProbeSpec.of(LIVE).withPeriodSeconds(1).withFailureThreshold(1)));
    sched.advance(Duration.ofMillis(300));
    sched.stall(Duration.ofMillis(500)); // the lag sampler due at 0.4 s fires at 0.8 s
    sched.runDue();
    sched.advance(Duration.ofMillis(200));
    prober.then(LIVE, ProbeResult.failure("connection refused"));
    slow.complete(ProbeResult.failure("probe timed out")); // took the whole 1 s timeout
    sched.runDue(); // then the tick that came meanwhile probes again, and is refused at once
    assertThat(drain())
        .filteredOn(ProbeUpdate::restartContainer)
        .extracting(u -> u.result().message())
        .containsExactly("connection refused");
  }

  @Test
  void statusesShowWhatEachWorkerLastSaw() {
    prober.then(LIVE, ProbeResult.failure("connection refused"));
    start(
        ContainerProbes.none()
            .withLiveness(ProbeSpec.of(LIVE).withFailureThreshold(1))
            .withReadiness(ProbeSpec.of(READY)));
    sched.advanceSeconds(1);
    var statuses = manager.statuses().toCompletableFuture();
    sched.runDue();
    assertThat(statuses.join())
        .extracting(
            s ->
                s.type()
                    + " "
                    + s.containerId().orElse("-")
                    + " "
                    + s.lastResult().map(r -> r.outcome() + ":" + r.message()).orElse("-")
                    + " hold="
                    + s.onHold()
                    + " runs="
                    + s.probesRun())
        .containsExactly(
            "LIVENESS c1 FAILURE:connection refused hold=true runs=1",
            "READINESS c1 SUCCESS: hold=false runs=1");
  }

  @Test
  void unknownResultsAreThrownAwayAndWarningsCountAsSuccess() {
    prober.then(
        READY,
        ProbeResult.unknown("prober error"),
        ProbeResult.warning("Probe terminated redirects"));
    start(ContainerProbes.none().withReadiness(ProbeSpec.of(READY).withPeriodSeconds(1)));
    assertThat(result("c1", ProbeType.READINESS)).contains(Outcome.FAILURE);
    sched.advanceSeconds(1);
    assertThat(result("c1", ProbeType.READINESS)).contains(Outcome.SUCCESS);
    assertThat(drain().getLast().result().message()).isEqualTo("Probe terminated redirects");
  }

  @Test
  void removingAContainerStopsItsWorkersAndForgetsResults() {
    start(
        ContainerProbes.none().withReadiness(ProbeSpec.of(READY)).withLiveness(ProbeSpec.of(LIVE)));
    assertThat(manager.workerCount()).isEqualTo(2);
    manager.removeContainer("uid-1", "app");
    sched.advanceSeconds(60);
    assertThat(manager.workerCount()).isZero();
    assertThat(prober.calls()).hasSize(2);
    assertThat(result("c1", ProbeType.READINESS)).isEmpty();
  }

  @Test
  void aProberThatThrowsIsAnUnknownResultAndTheWorkerGoesOn() {
    var calls = new java.util.concurrent.atomic.AtomicInteger();
    Prober flaky =
        (h, t, timeout) -> {
          if (calls.getAndIncrement() == 0) {
            throw new IllegalStateException("bug");
          }
          return java.util.concurrent.CompletableFuture.completedFuture(ProbeResult.success(""));
        };
    var m = new ProbeManager(flaky, results, new ProbeMetrics(), sched, NO_JITTER);
    m.addContainer(
        POD, "app", ContainerProbes.none().withReadiness(ProbeSpec.of(READY).withPeriodSeconds(1)));
    m.updateContainer("uid-1", "app", ContainerState.running("c1", T0, "10.0.0.7"));
    sched.runDue();
    assertThat(result("c1", ProbeType.READINESS)).contains(Outcome.FAILURE);
    sched.advanceSeconds(1);
    assertThat(calls.get()).isEqualTo(2);
    assertThat(result("c1", ProbeType.READINESS)).contains(Outcome.SUCCESS);
  }

  @Test
  void terminatingPodKeepsOnlyReadiness() {
    start(
        ContainerProbes.none().withReadiness(ProbeSpec.of(READY)).withLiveness(ProbeSpec.of(LIVE)));
    manager.stopLivenessAndStartup("uid-1");
    sched.advanceSeconds(10);
    assertThat(manager.workerCount()).isEqualTo(1);
    assertThat(seconds(prober.calls(LIVE))).containsExactly(0L);
    assertThat(seconds(prober.calls(READY))).containsExactly(0L, 10L);
  }

  @Test
  void livenessAndStartupRequireSuccessThresholdOne() {
    assertThatThrownBy(
            () -> ContainerProbes.none().withLiveness(ProbeSpec.of(LIVE).withSuccessThreshold(2)))
        .hasMessageContaining("Liveness probe must have successThreshold 1");
    assertThatThrownBy(() -> ProbeSpec.of(LIVE).withPeriodSeconds(0))
        .hasMessageContaining("periodSeconds");
    var defaults = ProbeSpec.of(LIVE);
    assertThat(
            List.of(
                defaults.periodSeconds(),
                defaults.timeoutSeconds(),
                defaults.successThreshold(),
                defaults.failureThreshold()))
        .containsExactly(10, 1, 1, 3);
  }

  @Test
  void namedPortsResolveAgainstTheContainersPorts() {
    var ports = List.of(new ContainerPort("http", 8080), new ContainerPort("grpc", 9090));
    assertThat(ContainerPort.resolve("grpc", ports)).isEqualTo(9090);
    assertThat(ContainerPort.resolve("8081", ports)).isEqualTo(8081);
    assertThatThrownBy(() -> ContainerPort.resolve("metrics", ports))
        .hasMessageContaining("metrics");
    assertThatThrownBy(() -> ContainerPort.resolve("70000", ports))
        .hasMessageContaining("invalid port");
  }
}
