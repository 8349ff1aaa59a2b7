package io.berth.agent.pod;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.agent.config.ConfigSource;
import io.berth.agent.config.RejectedManifest;
import io.berth.agent.http.HttpReply;
import io.berth.agent.kuberuntime.ObservedPod;
import io.berth.agent.kuberuntime.PodDefaults;
import io.berth.agent.testing.FakeClock;
import io.berth.cri.ContainerState;
import io.berth.cri.NamespaceMode;
import io.berth.cri.PodSandboxState;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code GET /pods} and {@code GET /pods/rejected} in the API's JSON shape. */
public class PodStatusViewTest {
  public static final Instant T0 = Instant.parse("2026-11-24T09:00:00Z");
  final FakeClock clock = new FakeClock(T0);
  final ObjectMapper json = new ObjectMapper();
  final List<RejectedManifest> rejected =
      List.of(
          new RejectedManifest(
              ConfigSource.FILE,
              "/etc/berth/manifests/bad.yaml",
              "name is needed for the pod",
              T0));
  final PodStatusView view = new PodStatusView(clock, json, () -> rejected);

  @Test
  void podsAreAV1PodListSortedByNamespaceAndName() throws Exception {
    view.update(input(pod("web", "b", "u1")));
    view.update(input(pod("api", "b", "u2")));
    view.update(input(pod("zeta", "a", "u3")));
    JsonNode list = read(view.podsReply());
    assertThat(list.path("apiVersion").asText()).isEqualTo("v1");
    assertThat(list.path("kind").asText()).isEqualTo("PodList");
    assertThat(list.path("items"))
        .extracting(p -> p.path("metadata").path("name").asText())
        .containsExactly("zeta", "api", "web");
    JsonNode web = list.path("items").path(2);
    assertThat(web.path("spec").path("containers").path(0).path("name").asText()).isEqualTo("app");
    assertThat(web.path("status").path("phase").asText()).isEqualTo("Running");
    assertThat(web.path("status").path("podIP").asText()).isEqualTo("10.0.0.2");
    assertThat(web.path("status").path("podIPs").path(0).path("ip").asText()).isEqualTo("10.0.0.2");
    assertThat(
            web.path("status")
                .path("containerStatuses")
                .path(0)
                .path("state")
                .path("running")
                .path("startedAt")
                .asText())
        .isEqualTo("2026-11-24T09:00:00Z");

    clock.advance(Duration.ofSeconds(3));
    view.remove("u1");
    assertThat(read(view.podsReply()).path("items")).hasSize(2);
  }

  @Test
  void activeDeadlineFailsThePodAndItStaysFailed() throws Exception {
    Pod pod = pod("job", "a", "u9");
    pod.getSpec().setActiveDeadlineSeconds(30L);
    view.update(input(pod));
    clock.advance(Duration.ofSeconds(12));
    assertThat(view.enforceActiveDeadline(pod)).isFalse();
    assertThat(view.untilActiveDeadline(pod)).contains(Duration.ofSeconds(18));

    clock.advance(Duration.ofSeconds(18));
    assertThat(view.enforceActiveDeadline(pod)).isTrue();
    var failed = view.get("u9").orElseThrow().getStatus();
    assertThat(failed.getPhase()).isEqualTo("Failed");
    assertThat(failed.getReason()).isEqualTo("DeadlineExceeded");
    assertThat(failed.getMessage())
        .isEqualTo("Pod was active on the node longer than the specified deadline");
    assertThat(view.untilActiveDeadline(pod)).isEmpty();

    view.update(input(pod)); // its container still reads as running until the kill lands
    var after = view.get("u9").orElseThrow().getStatus();
    assertThat(after.getPhase()).as("a terminal phase is never left").isEqualTo("Failed");
    assertThat(after.getReason()).isEqualTo("DeadlineExceeded");
  }

  @Test
  void aFailedPodShowsDisruptionTargetInPodsAndKeepsItThroughLaterSyncs() throws Exception {
    view.update(input(pod("web", "a", "u5")));
    List<String> changed = new java.util.ArrayList<>();
    view.onStatusChanged(changed::add);
    clock.advance(Duration.ofSeconds(7));
    String message = SHUTDOWN_MESSAGE;
    assertThat(shutDown("u5", Duration.ofSeconds(20))).isTrue();
    assertThat(changed).as("the status manager is woken").containsExactly("u5");
    assertThat(view.killGrace("u5")).contains(Duration.ofSeconds(20));

    // its worker syncs twice more: the container still running, then killed
    clock.advance(Duration.ofSeconds(2));
    view.update(input(pod("web", "a", "u5")));
    clock.advance(Duration.ofSeconds(2));
    view.update(input(pod("web", "a", "u5"), ContainerState.EXITED));

    JsonNode status = read(view.podsReply()).path("items").path(0).path("status");
    assertThat(status.path("phase").asText()).isEqualTo("Failed");
    assertThat(status.path("reason").asText()).isEqualTo("Terminated");
    assertThat(status.path("message").asText()).isEqualTo(message);
    assertThat(status.path("conditions"))
        .extracting(c -> c.path("type").asText() + "=" + c.path("status").asText())
        .containsExactly(
            "PodReadyToStartContainers=True",
            "Initialized=True",
            "ContainersReady=False",
            "Ready=False",
            "PodScheduled=True",
            "DisruptionTarget=True");
    JsonNode target = status.path("conditions").path(5);
    assertThat(target.path("reason").asText()).isEqualTo("TerminationByKubelet");
    assertThat(target.path("message").asText()).isEqualTo(message);
    assertThat(target.path("lastTransitionTime").asText())
        .as("when it was failed, not when last synced")
        .isEqualTo("2026-11-24T09:00:07Z");

    assertThat(shutDown("u5", Duration.ZERO)).as("a terminal pod is not failed twice").isFalse();
    assertThat(view.get("u5").orElseThrow().getStatus().getConditions())
        .filteredOn(c -> c.getType().equals("DisruptionTarget"))
        .hasSize(1);
  }

  @Test
  void anEmptyDirEvictionFailsThePodAtOnceWithoutADisruptionTarget() throws Exception {
    Pod pod = pod("web", "a", "u6");
    pod.getSpec().setTerminationGracePeriodSeconds(30L);
    view.update(input(pod));
    String message = "Usage of EmptyDir volume \"scratch\" exceeds the limit \"1Mi\". ";
    assertThat(view.evict(pod, message)).isTrue();
    assertThat(view.killGrace("u6"))
        .as("the kubelet's immediate eviction, raised to its 2 s minimum grace, not the pod's 30 s")
        .contains(Duration.ofSeconds(2));

    view.update(input(pod, ContainerState.EXITED)); // its worker syncs after the kill
    JsonNode status = read(view.podsReply()).path("items").path(0).path("status");
    assertThat(status.path("phase").asText()).isEqualTo("Failed");
    assertThat(status.path("reason").asText()).isEqualTo("Evicted");
    assertThat(status.path("message").asText()).isEqualTo(message);
    assertThat(status.path("conditions"))
        .as("the kubelet's local-storage evictions carry no DisruptionTarget condition")
        .extracting(c -> c.path("type").asText())
        .isNotEmpty()
        .doesNotContain("DisruptionTarget");
    assertThat(view.evict(pod, message)).as("a terminal pod is not evicted twice").isFalse();
  }

  static final String SHUTDOWN_MESSAGE =
      "Pod was terminated in response to imminent node shutdown.";

  /** Fails pod "web" as node shutdown does. */
  private boolean shutDown(String uid, Duration grace) {
    return view.fail(
        pod("web", "a", uid), "Terminated", SHUTDOWN_MESSAGE, "TerminationByKubelet", grace);
  }

  @Test
  void rejectedManifestsAreListed() throws Exception {
    JsonNode r = read(view.rejectedReply()).path("items").path(0);
    assertThat(r.path("source").asText()).isEqualTo("file");
    assertThat(r.path("location").asText()).isEqualTo("/etc/berth/manifests/bad.yaml");
    assertThat(r.path("reason").asText()).isEqualTo("name is needed for the pod");
    assertThat(r.path("time").asText()).isEqualTo("2026-11-24T09:00:00Z");
  }

  private JsonNode read(HttpReply reply) throws Exception {
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.contentType()).isEqualTo(HttpReply.JSON);
    return json.readTree(new String(reply.body(), StandardCharsets.UTF_8));
  }

  private static PodStatuses.Input input(Pod pod) {
    return input(pod, ContainerState.RUNNING);
  }

  /** The pod's container "app" seen by the runtime in {@code state} (exit 137 when exited). */
  public static PodStatuses.Input input(Pod pod, ContainerState state) {
    boolean exited = state == ContainerState.EXITED;
    var sandbox =
        new ObservedPod.Sandbox(
            "sb", 0, PodSandboxState.READY, T0, "10.0.0.2", List.of(), NamespaceMode.POD);
    var app =
        new ObservedPod.Container(
            "c1",
            "app",
            "sb",
            state,
            exited ? 137 : 0,
            exited ? "Error" : "",
            "",
            "h",
            0,
            T0,
            T0,
            exited ? T0.plusSeconds(5) : null,
            "busybox:1.36",
            "sha256:b");
    return new PodStatuses.Input(
        pod,
        new ObservedPod(pod.getMetadata().getUid(), List.of(sandbox), List.of(app)),
        Map.of(),
        "containerd",
        List.of());
  }

  public static Pod pod(String name, String namespace, String uid) {
    return PodDefaults.apply(
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .withUid(uid)
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("app")
            .withImage("busybox:1.36")
            .endContainer()
            .endSpec()
            .build());
  }
}
