package io.berth.agent.pod;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.kuberuntime.ObservedPod;
import io.berth.cri.ContainerState;
import io.berth.cri.PodSandboxState;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeenRuntimeStatesTest {
  private static final Instant T = Instant.parse("2026-11-24T12:00:00Z");
  private final SeenRuntimeStates seen = new SeenRuntimeStates();

  private static ObservedPod pod(PodSandboxState sandbox, ContainerState app) {
    return new ObservedPod(
        "uid-1",
        List.of(new ObservedPod.Sandbox("s1", 0, sandbox, T, "10.0.0.5", List.of(), null)),
        List.of(
            new ObservedPod.Container(
                "c1", "app", "s1", app, 0, "", "", "h", 0, T, T, null, "busybox", "sha256:1")));
  }

  private static PodLifecycleEvent event(PodLifecycleEvent.Type type, String id) {
    return new PodLifecycleEvent("uid-1", type, id);
  }

  @Test
  void aPodTheWorkerNeverLookedAtIsAlwaysNews() {
    assertThat(seen.isNews(event(PodLifecycleEvent.Type.CONTAINER_STARTED, "c1"))).isTrue();
  }

  @Test
  void whatTheWorkerStartedAndReadBackIsNoNews() {
    seen.record(pod(PodSandboxState.READY, ContainerState.RUNNING));
    assertThat(seen.isNews(event(PodLifecycleEvent.Type.CONTAINER_STARTED, "s1"))).isFalse();
    assertThat(seen.isNews(event(PodLifecycleEvent.Type.CONTAINER_STARTED, "c1"))).isFalse();
  }

  @Test
  void aContainerThatDiedBehindTheWorkersBackIsNews() {
    seen.record(pod(PodSandboxState.READY, ContainerState.RUNNING));
    assertThat(seen.isNews(event(PodLifecycleEvent.Type.CONTAINER_DIED, "c1"))).isTrue();
    assertThat(seen.isNews(event(PodLifecycleEvent.Type.CONTAINER_DIED, "s1"))).isTrue();
    assertThat(seen.isNews(event(PodLifecycleEvent.Type.CONTAINER_STARTED, "c2")))
        .as("a container the worker has not seen")
        .isTrue();
  }

  @Test
  void aCreatedContainerThatStartsIsNewsUntilTheWorkerSawItRun() {
    seen.record(pod(PodSandboxState.READY, ContainerState.CREATED));
    assertThat(seen.isNews(event(PodLifecycleEvent.Type.CONTAINER_CHANGED, "c1"))).isFalse();
    assertThat(seen.isNews(event(PodLifecycleEvent.Type.CONTAINER_STARTED, "c1"))).isTrue();
  }

  @Test
  void aRelistThatSawTheContainerCreatedIsStaleOnceTheWorkerSawItRun() {
    seen.record(pod(PodSandboxState.READY, ContainerState.RUNNING));
    assertThat(seen.isNews(event(PodLifecycleEvent.Type.CONTAINER_CHANGED, "c1"))).isFalse();
    assertThat(seen.isNews(event(PodLifecycleEvent.Type.CONTAINER_CHANGED, "c9")))
        .as("a container the worker never saw")
        .isTrue();
  }

  @Test
  void aDeathIsNewsEvenWhenTheWorkersLastLookSawIt() {
    // a container that exited right after its start: the worker read it back dead but has not
    // applied the restart policy yet
    seen.record(pod(PodSandboxState.READY, ContainerState.EXITED));
    assertThat(seen.isNews(event(PodLifecycleEvent.Type.CONTAINER_DIED, "c1"))).isTrue();
  }

  @Test
  void aForgottenPodIsNewsAgain() {
    seen.record(pod(PodSandboxState.READY, ContainerState.RUNNING));
    assertThat(seen.isNews(event(PodLifecycleEvent.Type.CONTAINER_STARTED, "c1"))).isFalse();
    seen.forget("uid-1");
    assertThat(seen.isNews(event(PodLifecycleEvent.Type.CONTAINER_STARTED, "c1"))).isTrue();
  }
}
