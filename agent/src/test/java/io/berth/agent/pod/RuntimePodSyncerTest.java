package io.berth.agent.pod;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.agent.events.PodEvents;
import io.berth.agent.events.RecordingEventRecorder;
import io.berth.agent.kuberuntime.CgroupNames;
import io.berth.agent.kuberuntime.ComputePodActions;
import io.berth.agent.kuberuntime.ConfigSource;
import io.berth.agent.kuberuntime.ContainerConfigs;
import io.berth.agent.kuberuntime.CrashLoopBackoff;
import io.berth.agent.kuberuntime.EnvResolver;
import io.berth.agent.kuberuntime.ImagePulls;
import io.berth.agent.kuberuntime.NodeContext;
import io.berth.agent.kuberuntime.RuntimeSettings;
import io.berth.agent.kuberuntime.SandboxConfigs;
import io.berth.agent.kuberuntime.SpecHash;
import io.berth.agent.testing.FakeClock;
import io.berth.agent.volume.FakeMounter;
import io.berth.agent.volume.PodVolumes;
import io.berth.agent.volume.ProjectedPayloads;
import io.berth.cri.CriRuntime;
import io.berth.cri.PodSandboxFilter;
import io.berth.cri.fake.FakeCriServer;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One pod's syncs against cri-client's fake runtime: start, restart, back-off, pull, terminate. */
class RuntimePodSyncerTest {
  static final String UID = "0c1d2e3f";
  @TempDir Path dir;
  final FakeClock clock = new FakeClock(Instant.parse("2026-11-24T09:00:00Z"));
  FakeCriServer server;
  CriRuntime cri;
  PodStatusView view;
  RuntimePodSyncer syncer;
  final RecordingEventRecorder recorder = new RecordingEventRecorder();
  final List<String> events = recorder.lines();

  @BeforeEach
  void start() {
    server = FakeCriServer.start(dir.resolve("cri.sock"), clock);
    cri = CriRuntime.connect(server.endpoint());
    view = new PodStatusView(clock, new ObjectMapper(), List::of);
    syncer = new RuntimePodSyncer(parts(cri::runtime));
  }

  RuntimePodSyncer.Parts parts(java.util.function.Supplier<io.berth.cri.RuntimeService> runtime) {
    var node =
        new NodeContext(
            "node-a", List.of("192.168.1.10"), Map.of("cpu", new Quantity("2")), 4L << 30);
    var settings =
        new RuntimeSettings(
            dir.resolve("logs").toString(), new CgroupNames("/berth-unit"), List.of(), "", null);
    SpecHash hash = new SpecHash();
    ObjectMapper json = new ObjectMapper();
    return new RuntimePodSyncer.Parts(
        runtime,
        cri::images,
        new SandboxConfigs(settings),
        new ContainerConfigs(
            node, ConfigSource.NONE, hash, json, Path.of("/var/lib/berth/seccomp")),
        new ComputePodActions(hash),
        new CrashLoopBackoff(clock, hash),
        new ImagePulls(clock),
        view,
        node.hostIps(),
        new PodVolumes(
            dir.resolve("root"),
            clock,
            new ProjectedPayloads(ConfigSource.NONE, new EnvResolver(node, ConfigSource.NONE)),
            new FakeMounter(),
            "cluster.local",
            dir.resolve("no-hosts")),
        List::of,
        PodProbes.NONE,
        new LifecycleHooks(cri::runtime, java.net.http.HttpClient.newHttpClient()),
        new PodEvents(recorder, clock));
  }

  @Test
  void recordsTheKubeletsEventsThroughStartRestartBackOffAndKill() {
    server.images().preload("registry.berth.test/busybox:1.0");
    Pod pod = pod("IfNotPresent");
    syncer.syncPod(pod);
    String app = "Pod spec.containers{app} ";
    assertThat(events)
        .containsExactly(
            app
                + "Normal Pulled: Container image \"registry.berth.test/busybox:1.0\" already"
                + " present on machine",
            app + "Normal Created: Created container: app",
            app + "Normal Started: Started container app");
    recorder.clear();
    syncer.syncPod(pod); // nothing to do, nothing recorded
    assertThat(events).isEmpty();

    server.runtime().exitContainer(containerId(), 137, "Error");
    clock.advance(Duration.ofSeconds(1));
    syncer.syncPod(pod); // restarted at once
    server.runtime().exitContainer(containerId(), 1, "Error");
    clock.advance(Duration.ofSeconds(1));
    recorder.clear();
    syncer.syncPod(pod); // back-off 10 s
    String backOff =
        app
            + "Warning BackOff: Back-off restarting failed container app in pod web_default("
            + UID
            + ")";
    assertThat(events).containsExactly(backOff);
    clock.advance(Duration.ofSeconds(1));
    syncer.syncPod(pod); // still waiting a second later: not recorded again (PodEvents)
    assertThat(events).containsExactly(backOff);

    clock.advance(Duration.ofSeconds(10));
    syncer.syncPod(pod); // restarted
    recorder.clear();
    syncer.terminatePod(UID, Optional.of(pod), Duration.ofSeconds(2));
    assertThat(events).containsExactly(app + "Normal Killing: Stopping container app");
  }

  @Test
  void aFailedPullIsRecordedThenItsBackOffOncePerTenSeconds() {
    Pod pod = pod("IfNotPresent");
    String image = "registry.berth.test/private/app:1.0";
    pod.getSpec().getContainers().get(0).setImage(image);
    String app = "Pod spec.containers{app} ";
    syncer.syncPod(pod);
    assertThat(events)
        .satisfiesExactly(
            e -> assertThat(e).isEqualTo(app + "Normal Pulling: Pulling image \"" + image + "\""),
            e ->
                assertThat(e)
                    .startsWith(app + "Warning Failed: Failed to pull image \"" + image + "\": ")
                    .contains("401 Unauthorized"),
            e -> assertThat(e).isEqualTo(app + "Warning Failed: Error: ErrImagePull"));
    recorder.clear();
    for (int i = 0; i < 5; i++) { // within the 10 s pull back-off, retried every second
      clock.advance(Duration.ofSeconds(1));
      syncer.syncPod(pod);
    }
    assertThat(events)
        .containsExactly(
            app + "Normal BackOff: Back-off pulling image \"" + image + "\"",
            app + "Warning Failed: Error: ImagePullBackOff");
  }

  @Test
  void aMissingNeverImageIsRecordedAsTheKubeletDoes() {
    syncer.syncPod(pod("Never"));
    assertThat(events)
        .containsExactly(
            "Pod spec.containers{app} Warning ErrImageNeverPull: Container image"
                + " \"registry.berth.test/busybox:1.0\" is not present with pull policy of Never",
            "Pod spec.containers{app} Warning Failed: Error: ErrImageNeverPull");
  }

  @Test
  void aNewPodTheLastRelistDidNotSeeStartsWithoutListingAndReadsItsSandboxOnce() {
    server.images().preload("registry.berth.test/busybox:1.0");
    Map<String, Integer> calls = new java.util.concurrent.ConcurrentHashMap<>();
    io.berth.cri.RuntimeService counted =
        (io.berth.cri.RuntimeService)
            java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {io.berth.cri.RuntimeService.class},
                (proxy, method, args) -> {
                  calls.merge(method.getName(), 1, Integer::sum);
                  try {
                    return method.invoke(cri.runtime(), args);
                  } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    var relist = new PodLifecycleEventGenerator.RuntimePods(Set.of("other"), clock.instant());
    RuntimePodSyncer fresh =
        new RuntimePodSyncer(
            parts(() -> counted),
            new PodCgroups.Unmanaged("unit test"),
            new UnlistedPods(() -> relist));

    assertThat(fresh.syncPod(pod("IfNotPresent"))).isEqualTo(RuntimePodSyncer.RESYNC);

    assertThat(view.get(UID).orElseThrow().getStatus().getPhase()).isEqualTo("Running");
    assertThat(view.get(UID).orElseThrow().getStatus().getPodIP()).startsWith("10.88.0.");
    calls.remove("version"); // the runtime's name for the status, asked once per process
    assertThat(calls)
        .isEqualTo(
            Map.of(
                "runPodSandbox", 1,
                "podSandboxStatus", 1,
                "createContainer", 1,
                "startContainer", 1,
                "containerStatus", 1));

    // the next sync of the same pod lists the runtime again (its worker created things)
    calls.clear();
    fresh.syncPod(pod("IfNotPresent"));
    assertThat(calls).containsKeys("listPodSandbox", "listContainers");
    assertThat(calls).doesNotContainKeys("runPodSandbox", "createContainer");
  }

  @AfterEach
  void stop() {
    cri.close();
    server.close();
  }

  @Test
  void runsRestartsBacksOffAndTerminates() {
    server.images().preload("registry.berth.test/busybox:1.0");
    Pod pod = pod("IfNotPresent");
    assertThat(syncer.syncPod(pod)).isEqualTo(RuntimePodSyncer.RESYNC);
    Pod seen = view.get(UID).orElseThrow();
    assertThat(seen.getStatus().getPhase()).isEqualTo("Running");
    assertThat(seen.getStatus().getPodIP()).startsWith("10.88.0.");
    ContainerStatus app = seen.getStatus().getContainerStatuses().get(0);
    assertThat(app.getRestartCount()).isZero();
    assertThat(app.getImageID()).startsWith("sha256:");
    assertThat(view.podList().getItems()).hasSize(1);
    assertThat(syncer.syncPod(pod)).isEqualTo(RuntimePodSyncer.RESYNC); // nothing to do

    // killed behind berth's back: restarted at once with restart count 1
    server.runtime().exitContainer(containerId(), 137, "Error");
    clock.advance(Duration.ofSeconds(1));
    syncer.syncPod(pod);
    assertThat(status().getRestartCount()).isEqualTo(1);
    assertThat(status().getState().getRunning()).isNotNull();
    assertThat(status().getLastState().getTerminated().getExitCode()).isEqualTo(137);

    // again: CrashLoopBackOff 10 s, shown as waiting, retried soon
    server.runtime().exitContainer(containerId(), 1, "Error");
    clock.advance(Duration.ofSeconds(1));
    assertThat(syncer.syncPod(pod)).isEqualTo(RuntimePodSyncer.RETRY);
    assertThat(status().getState().getWaiting().getReason()).isEqualTo("CrashLoopBackOff");
    assertThat(status().getState().getWaiting().getMessage())
        .startsWith("back-off 10s restarting failed container=app pod=web_default(" + UID);
    clock.advance(Duration.ofSeconds(10));
    assertThat(syncer.syncPod(pod)).isEqualTo(RuntimePodSyncer.RESYNC);
    assertThat(status().getRestartCount()).isEqualTo(2);

    syncer.terminatePod(UID, Optional.of(pod), Duration.ofSeconds(2));
    assertThat(cri.runtime().listPodSandbox(PodSandboxFilter.all())).isEmpty();
    assertThat(view.get(UID)).isEmpty();
  }

  @Test
  void aCompletedNeverPodIsSucceededAndItsSandboxStopped() {
    server.images().preload("registry.berth.test/busybox:1.0");
    Pod pod = pod("IfNotPresent");
    pod.getSpec().setRestartPolicy("Never");
    syncer.syncPod(pod);
    server.runtime().exitContainer(containerId(), 0, "Completed");
    clock.advance(Duration.ofSeconds(1));
    syncer.syncPod(pod);
    assertThat(view.get(UID).orElseThrow().getStatus().getPhase()).isEqualTo("Succeeded");
    syncer.syncPod(pod); // terminal: kill the pod, start nothing
    assertThat(cri.runtime().listPodSandbox(PodSandboxFilter.all()))
        .singleElement()
        .satisfies(s -> assertThat(s.state()).isEqualTo(io.berth.cri.PodSandboxState.NOT_READY));
    assertThat(view.get(UID).orElseThrow().getStatus().getPhase()).isEqualTo("Succeeded");
    assertThat(status().getState().getTerminated().getReason()).isEqualTo("Completed");
  }

  @Test
  void aMissingImageWithPolicyNeverWaitsWithErrImageNeverPull() {
    assertThat(syncer.syncPod(pod("Never"))).isEqualTo(RuntimePodSyncer.RETRY);
    var waiting = status().getState().getWaiting();
    assertThat(waiting.getReason()).isEqualTo("ErrImageNeverPull");
    assertThat(view.get(UID).orElseThrow().getStatus().getPhase()).isEqualTo("Pending");
  }

  @Test
  void anAbsentImageIsPulled() {
    syncer.syncPod(pod("IfNotPresent"));
    assertThat(status().getState().getRunning()).isNotNull();
    assertThat(server.images().calls().lastRequest(io.berth.cri.v1.PullImageRequest.class))
        .isNotNull();
    assertThat(events.subList(0, 2))
        .satisfiesExactly(
            e ->
                assertThat(e)
                    .isEqualTo(
                        "Pod spec.containers{app} Normal Pulling: Pulling image"
                            + " \"registry.berth.test/busybox:1.0\""),
            e ->
                assertThat(e)
                    .matches(
                        "Pod spec\\.containers\\{app} Normal Pulled: Successfully pulled image"
                            + " \"registry\\.berth\\.test/busybox:1\\.0\" in (\\d+ms|[\\d.]+s)"
                            + " \\(\\1 including waiting\\)\\. Image size: \\d+ bytes\\."));
  }

  @Test
  void orphansAreTerminatedWithoutASpec() {
    server.images().preload("registry.berth.test/busybox:1.0");
    syncer.syncPod(pod("IfNotPresent"));
    syncer.terminatePod(UID, Optional.empty(), Duration.ZERO);
    assertThat(cri.runtime().listPodSandbox(PodSandboxFilter.all())).isEmpty();
  }

  private String containerId() {
    return status().getContainerID().substring("fake-cri://".length());
  }

  private ContainerStatus status() {
    return view.get(UID).orElseThrow().getStatus().getContainerStatuses().get(0);
  }

  static Pod pod(String pullPolicy) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("web")
        .withNamespace("default")
        .withUid(UID)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("app")
        .withImage("registry.berth.test/busybox:1.0")
        .withImagePullPolicy(pullPolicy)
        .endContainer()
        .withTerminationGracePeriodSeconds(2L)
        .endSpec()
        .build();
  }
}
