package io.berth.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.kuberuntime.ComputePodActions;
import io.berth.agent.kuberuntime.ObservedPod;
import io.berth.agent.kuberuntime.PodActions;
import io.berth.agent.kuberuntime.PodDefaults;
import io.berth.agent.kuberuntime.ProbeResults;
import io.berth.agent.kuberuntime.SpecHash;
import io.berth.agent.pod.PodStatuses;
import io.berth.agent.testing.FakeClock;
import io.berth.cri.ContainerState;
import io.berth.cri.NamespaceMode;
import io.berth.cri.PodSandboxState;
import io.berth.probes.ProbeHandler;
import io.berth.probes.ProbeManager;
import io.berth.probes.ProbeMetrics;
import io.berth.probes.ProbeResult;
import io.berth.probes.ProbeType;
import io.berth.probes.ProbeUpdate;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The wiring of probe workers to pods, on a fake clock: workers come and go with the pod, a
 * liveness failure asks for a restart and the worker holds until a new container ID, startup gates
 * liveness and readiness, readiness drives {@code ready} and the pod's conditions.
 */
class ProberManagerTest {
  private static final String UID = "pod-uid-1";
  private static final ProbeHandler LIVE = new ProbeHandler.Exec(List.of("live"));
  private static final ProbeHandler READY = new ProbeHandler.Exec(List.of("ready"));
  private static final ProbeHandler START = new ProbeHandler.Exec(List.of("start"));
  private static final SpecHash HASH = new SpecHash();

  private final FakeClock clock = new FakeClock(Instant.parse("2026-11-24T09:00:00Z"));
  private final FakeProbeScheduler scheduler = new FakeProbeScheduler(clock);
  private final ScriptedProber prober = new ScriptedProber();
  private final io.berth.probes.ProbeResults results = new io.berth.probes.ProbeResults();
  private final ProbeManager workers =
      new ProbeManager(prober, results, new ProbeMetrics(), scheduler, new SplittableRandom(7));
  private final ProberManager probes = new ProberManager(workers, results, clock);

  @Test
  void workersComeWithThePodAndGoWithIt() {
    Pod pod = pod(app(exec("live"), exec("ready"), exec("start")));
    probes.observe(pod, running(pod, "c1"), List.of());
    probes.observe(pod, running(pod, "c1"), List.of()); // every sync observes: still one set
    scheduler.advance(Duration.ZERO);
    assertThat(workers.workerCount()).isEqualTo(3);

    probes.stopLivenessAndStartup(UID);
    scheduler.advance(Duration.ZERO);
    assertThat(workers.worker(UID, "app", ProbeType.READINESS)).isPresent();
    assertThat(workers.workerCount()).isEqualTo(1);

    probes.removePod(UID);
    scheduler.advance(Duration.ZERO);
    assertThat(workers.workerCount()).isZero();
    assertThat(probes.podCount()).isZero();
  }

  @Test
  void podsAreSplitBetweenShardsByUid() {
    ProbeManager other =
        new ProbeManager(prober, results, new ProbeMetrics(), scheduler, new SplittableRandom(3));
    ProberManager sharded = new ProberManager(List.of(workers, other), results, clock);
    List<String> uids = List.of("uid-a", "uid-b", "uid-c", "uid-d", "uid-e", "uid-f");
    for (String uid : uids) {
      Pod p =
          new PodBuilder(pod(readinessOnly(exec("ready").withPeriodSeconds(1))))
              .editMetadata()
              .withUid(uid)
              .endMetadata()
              .build();
      sharded.observe(p, running(p, "c-" + uid), List.of());
    }
    scheduler.advance(Duration.ofSeconds(2));
    assertThat(workers.workerCount() + other.workerCount()).isEqualTo(uids.size());
    assertThat(workers.workerCount()).as("both shards used").isBetween(1, uids.size() - 1);
    assertThat(prober.calls(READY)).extracting(c -> c.target().containerId()).contains("c-uid-a");
    assertThat(sharded.readiness("uid-a").ready("app", "c-uid-a")).isTrue();

    uids.forEach(sharded::removePod);
    scheduler.advance(Duration.ZERO);
    assertThat(workers.workerCount() + other.workerCount()).isZero();
  }

  @Test
  void podWithoutProbesHasNoWorkersAndIsReadyWhenRunning() {
    Pod pod = pod(new ContainerBuilder().withName("app").withImage("busybox").build());
    ObservedPod observed = running(pod, "c1");
    probes.observe(pod, observed, List.of());
    scheduler.advance(Duration.ofSeconds(30));
    assertThat(workers.workerCount()).isZero();
    assertThat(conditions(status(pod, observed))).containsEntry("Ready", "True");
  }

  @Test
  void livenessFailureRestartsAndTheWorkerHoldsUntilANewContainer() throws Exception {
    prober.answer(LIVE, ProbeResult.failure("cat: /tmp/health: No such file"));
    Pod pod = pod(app(exec("live").withPeriodSeconds(1).withFailureThreshold(3)));
    ObservedPod first = running(pod, "c1");
    probes.observe(pod, first, List.of());

    scheduler.advance(Duration.ofSeconds(2)); // jittered first probe, then one a second
    assertThat(restartsAsked()).isEmpty();
    assertThat(new ComputePodActions(HASH).compute(pod, first, probes.results(first)).isNoop())
        .isTrue();
    scheduler.advance(Duration.ofSeconds(2));
    List<ProbeUpdate> asked = restartsAsked();
    assertThat(asked).singleElement().satisfies(u -> assertThat(u.containerId()).isEqualTo("c1"));
    assertThat(probes.results(first).liveness()).containsEntry("c1", ProbeResults.Result.FAILURE);
    PodActions actions = new ComputePodActions(HASH).compute(pod, first, probes.results(first));
    assertThat(actions.containersToKill().get("c1").message())
        .isEqualTo("Container app failed liveness probe, will be restarted");
    assertThat(actions.containersToStart()).containsExactly("app");

    int probed = prober.calls(LIVE).size();
    scheduler.advance(Duration.ofSeconds(10));
    assertThat(prober.calls(LIVE)).as("on hold: no probes of the old container").hasSize(probed);
    assertThat(workers.worker(UID, "app", ProbeType.LIVENESS).orElseThrow().onHold()).isTrue();

    prober.answer(LIVE, ProbeResult.success(""));
    ObservedPod second = running(pod, "c2");
    probes.observe(pod, second, List.of());
    scheduler.advance(Duration.ofSeconds(3));
    assertThat(workers.worker(UID, "app", ProbeType.LIVENESS).orElseThrow().onHold()).isFalse();
    assertThat(prober.calls(LIVE).size()).isGreaterThan(probed);
    assertThat(prober.calls(LIVE).getLast().target().containerId()).isEqualTo("c2");
    assertThat(probes.results(second).liveness())
        .doesNotContainEntry("c2", ProbeResults.Result.FAILURE);
    assertThat(new ComputePodActions(HASH).compute(pod, second, probes.results(second)).isNoop())
        .isTrue();
  }

  @Test
  void startupGatesLivenessAndReadiness() {
    prober.answer(START, ProbeResult.failure("not yet"));
    prober.answer(LIVE, ProbeResult.failure("would restart"));
    Pod pod =
        pod(
            app(
                exec("live").withPeriodSeconds(1).withFailureThreshold(1),
                exec("ready").withPeriodSeconds(1),
                exec("start").withPeriodSeconds(1).withFailureThreshold(100)));
    ObservedPod observed = running(pod, "c1");
    probes.observe(pod, observed, List.of());
    scheduler.advance(Duration.ofSeconds(10));
    assertThat(prober.calls(START)).hasSizeGreaterThanOrEqualTo(9);
    assertThat(prober.calls(LIVE)).isEmpty();
    assertThat(prober.calls(READY)).isEmpty();
    // liveness starts as "not failed yet"; startup stays unknown until decided
    assertThat(probes.results(observed).liveness())
        .containsEntry("c1", ProbeResults.Result.SUCCESS);
    assertThat(probes.results(observed).startup()).isEmpty();
    PodStatus status = status(pod, observed);
    assertThat(status.getContainerStatuses().get(0).getStarted()).isFalse();
    assertThat(status.getContainerStatuses().get(0).getReady()).isFalse();

    prober.answer(START, ProbeResult.success(""));
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(probes.results(observed).startup()).containsEntry("c1", ProbeResults.Result.SUCCESS);
    assertThat(prober.calls(READY)).as("readiness probed as soon as started").isNotEmpty();
    scheduler.advance(Duration.ofSeconds(2));
    assertThat(prober.calls(LIVE)).isNotEmpty();
    assertThat(probes.results(observed).liveness())
        .containsEntry("c1", ProbeResults.Result.FAILURE);
    status = status(pod, observed);
    assertThat(status.getContainerStatuses().get(0).getStarted()).isTrue();
    assertThat(status.getContainerStatuses().get(0).getReady()).isTrue();
  }

  @Test
  void readinessDrivesReadyAndThePodConditions() {
    prober.answer(READY, ProbeResult.failure("HTTP probe failed with statuscode: 503"));
    Pod pod = pod(readinessOnly(exec("ready").withPeriodSeconds(1).withInitialDelaySeconds(5)));
    ObservedPod observed = running(pod, "c1");
    probes.observe(pod, observed, List.of());

    PodStatus before = status(pod, observed);
    assertThat(before.getContainerStatuses().get(0).getReady()).isFalse();
    assertThat(before.getContainerStatuses().get(0).getStarted()).isTrue();
    assertThat(conditions(before))
        .containsEntry("ContainersReady", "False")
        .containsEntry("Ready", "False");
    assertThat(condition(before, "Ready").getMessage())
        .isEqualTo("containers with unready status: [app]");

    scheduler.advance(Duration.ofSeconds(4));
    assertThat(prober.calls(READY)).as("initialDelaySeconds 5 from the start at T0").isEmpty();
    prober.answer(READY, ProbeResult.success(""));
    scheduler.advance(Duration.ofSeconds(3));
    assertThat(prober.calls(READY)).isNotEmpty();
    assertThat(conditions(status(pod, observed)))
        .containsEntry("ContainersReady", "True")
        .containsEntry("Ready", "True");

    prober.answer(READY, ProbeResult.failure("gone"));
    scheduler.advance(Duration.ofSeconds(3)); // failureThreshold 3 (default)
    assertThat(conditions(status(pod, observed))).containsEntry("Ready", "False");
    assertThat(restartsAsked()).as("readiness never restarts").isEmpty();
  }

  @Test
  void resultChangesFlowThroughOneChannel() {
    prober.answer(READY, ProbeResult.success(""));
    Pod pod = pod(readinessOnly(exec("ready").withPeriodSeconds(1)));
    probes.observe(pod, running(pod, "c1"), List.of());
    scheduler.advance(Duration.ofSeconds(5));
    List<ProbeUpdate> updates = new ArrayList<>();
    results.drainTo(updates);
    // initial "not ready", then ready once: only changes, not one update per probe
    assertThat(updates)
        .extracting(u -> u.type() + " " + u.ready())
        .containsExactly("READINESS false", "READINESS true");
    List<String> resynced = new ArrayList<>();
    updates.forEach(new ProbeSyncHandler(resynced::add));
    assertThat(resynced).containsExactly(UID, UID);
  }

  /** As the kubelet: within one period of berth's start the first probe waits a random part. */
  @Test
  void firstProbesAfterBerthStartsAreJitteredLaterOnesAreNot() {
    Pod pod = pod(readinessOnly(exec("ready").withPeriodSeconds(10)));
    probes.observe(pod, running(pod, "c1"), List.of()); // berth started just now (T0)
    scheduler.advance(Duration.ZERO);
    assertThat(prober.calls(READY)).as("not at once after a start").isEmpty();
    scheduler.advance(Duration.ofSeconds(10));
    assertThat(prober.calls(READY)).as("but within one period").hasSize(1);

    ProbeManager later =
        new ProbeManager(prober, results, new ProbeMetrics(), scheduler, new SplittableRandom(7));
    scheduler.advance(Duration.ofSeconds(60)); // berth has run for a minute
    ProbeHandler other = new ProbeHandler.Exec(List.of("other"));
    Pod second =
        new PodBuilder(pod(readinessOnly(exec("other").withPeriodSeconds(10))))
            .editMetadata()
            .withUid("pod-uid-2")
            .endMetadata()
            .build();
    new ProberManager(later, results, clock).observe(second, running(second, "c9"), List.of());
    scheduler.advance(Duration.ZERO);
    assertThat(prober.calls(other)).as("a new pod later on is probed at once").hasSize(1);
  }

  @Test
  void namedPortsResolveAndNetworkProbesGoToThePodIp() {
    Container c =
        new ContainerBuilder()
            .withName("app")
            .withImage("busybox")
            .addNewPort()
            .withName("http")
            .withContainerPort(8080)
            .endPort()
            .withLivenessProbe(
                new ProbeBuilder()
                    .withNewHttpGet()
                    .withNewPort("http")
                    .withPath("/healthz")
                    .endHttpGet()
                    .withPeriodSeconds(1)
                    .build())
            .build();
    Pod pod = pod(c);
    probes.observe(pod, running(pod, "c1"), List.of("192.168.1.5"));
    scheduler.advance(Duration.ofSeconds(2));
    ProbeHandler http = ProbeHandler.Http.get(8080, "/healthz");
    assertThat(prober.calls(http)).isNotEmpty();
    assertThat(prober.calls(http).get(0).target().podIp()).isEqualTo("10.88.0.7");
  }

  @Test
  void anInvalidReadinessProbeKeepsTheContainerUnready() {
    Container c =
        new ContainerBuilder()
            .withName("app")
            .withImage("busybox")
            .withReadinessProbe(
                new ProbeBuilder().withNewTcpSocket().withNewPort("nope").endTcpSocket().build())
            .build();
    Pod pod = pod(c);
    ObservedPod observed = running(pod, "c1");
    probes.observe(pod, observed, List.of());
    scheduler.advance(Duration.ofSeconds(30));
    assertThat(workers.workerCount()).isZero();
    assertThat(conditions(status(pod, observed))).containsEntry("Ready", "False");
  }

  private List<ProbeUpdate> restartsAsked() {
    List<ProbeUpdate> all = new ArrayList<>();
    results.drainTo(all);
    return all.stream().filter(ProbeUpdate::restartContainer).toList();
  }

  private PodStatus status(Pod pod, ObservedPod observed) {
    return PodStatuses.compute(
        new PodStatuses.Input(
            pod, observed, Map.of(), "containerd", List.of("192.168.1.5"), probes.readiness(UID)),
        Optional.empty(),
        clock.instant());
  }

  private static Map<String, String> conditions(PodStatus s) {
    Map<String, String> m = new java.util.TreeMap<>();
    s.getConditions().forEach(c -> m.put(c.getType(), c.getStatus()));
    return m;
  }

  private static PodCondition condition(PodStatus s, String type) {
    return s.getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow();
  }

  /** A probe spec builder for exec probes named by their command. */
  private static ProbeBuilder exec(String command) {
    return new ProbeBuilder().withNewExec().withCommand(command).endExec();
  }

  private static Container app(ProbeBuilder liveness) {
    return app(liveness, null, null);
  }

  private static Container app(
      ProbeBuilder liveness, ProbeBuilder readiness, ProbeBuilder startup) {
    return new ContainerBuilder()
        .withName("app")
        .withImage("busybox")
        .withLivenessProbe(build(liveness))
        .withReadinessProbe(build(readiness))
        .withStartupProbe(build(startup))
        .build();
  }

  private static Container readinessOnly(ProbeBuilder readiness) {
    return app(null, readiness, null);
  }

  private static Probe build(ProbeBuilder b) {
    return b == null ? null : b.build();
  }

  private static Pod pod(Container c) {
    return PodDefaults.apply(
        new PodBuilder()
            .withNewMetadata()
            .withName("web")
            .withNamespace("default")
            .withUid(UID)
            .endMetadata()
            .withNewSpec()
            .withContainers(c)
            .endSpec()
            .build());
  }

  /** The pod's sandbox (IP 10.88.0.7) and container {@code app} running as {@code id} since T0. */
  private ObservedPod running(Pod pod, String id) {
    Container spec = pod.getSpec().getContainers().get(0);
    Instant t0 = Instant.parse("2026-11-24T09:00:00Z");
    return new ObservedPod(
        UID,
        List.of(
            new ObservedPod.Sandbox(
                "sb", 0, PodSandboxState.READY, t0, "10.88.0.7", List.of(), NamespaceMode.POD)),
        List.of(
            new ObservedPod.Container(
                id,
                "app",
                "sb",
                ContainerState.RUNNING,
                0,
                "",
                "",
                HASH.of(spec),
                0,
                clock.instant(),
                clock.instant(),
                null,
                "busybox",
                "sha256:abc")));
  }
}
