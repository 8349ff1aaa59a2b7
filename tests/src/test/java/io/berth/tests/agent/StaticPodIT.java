package io.berth.tests.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.cri.CriRuntime;
import io.berth.cri.PodSandboxConfig;
import io.berth.cri.PodSandboxFilter;
import io.berth.tests.fixtures.ContainerdLauncher;
import io.berth.tests.fixtures.CriPods;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * berth runs a static pod end to end on a private containerd: a manifest dropped into {@code
 * --pod-manifest-path} becomes a Running pod whose HTTP server answers on its pod IP; a container
 * killed behind berth's back is restarted (PLEG → pod worker); a restarted berth adopts the running
 * pod instead of recreating it; removing the manifest removes the sandbox within the grace period;
 * a sandbox with berth's labels that no source claims is removed once the sources are ready.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StaticPodIT {
  private static final String NODE = "berth-it-node";
  private static final String POD = "web-" + NODE;
  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private BerthOnContainerd berth;
  private Path manifests;
  private ContainerdLauncher containerd;
  private CriRuntime cri;
  private String strayUid;

  @BeforeAll
  void start() throws Exception {
    berth =
        BerthOnContainerd.start(
            NODE,
            null,
            b -> {
              // left behind by an earlier berth: carries berth's labels, but no source claims it
              PodSandboxConfig stray = new CriPods(b.containerd).sandbox("stray");
              strayUid = stray.metadata().uid();
              b.cri.runtime().runPodSandbox(stray);
            },
            s -> s);
    manifests = berth.manifests;
    containerd = berth.containerd;
    cri = berth.cri;
  }

  @AfterAll
  void stop() {
    if (berth != null) {
      berth.close();
    }
  }

  @Test
  void runsRestartsAndRemovesAStaticPod() throws Exception {
    Files.writeString(
        manifests.resolve("web.yaml"),
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          terminationGracePeriodSeconds: 2
          containers:
          - name: httpd
            image: %s
            imagePullPolicy: IfNotPresent
            command: ["sh", "-c", "echo hello-from-berth > /tmp/index.html; exec httpd -f -p 8080 -h /tmp"]
            ports:
            - containerPort: 8080
        """
            .formatted(containerd.busyboxImage()));
    long t0 = System.nanoTime();

    JsonNode running =
        await(
            Duration.ofSeconds(10),
            () -> pod().filter(p -> phase(p).equals("Running") && !podIp(p).isEmpty()));
    long tRunning = System.nanoTime();
    String ip = podIp(running);
    assertThat(containerd.podSubnet().contains(ip)).as(ip).isTrue();
    assertThat(conditions(running))
        .containsEntry("Ready", "True")
        .containsEntry("ContainersReady", "True")
        .containsEntry("Initialized", "True")
        .containsEntry("PodScheduled", "True")
        .containsEntry("PodReadyToStartContainers", "True");
    String body = await(Duration.ofSeconds(5), () -> httpGet("http://" + ip + ":8080/index.html"));
    assertThat(body).isEqualTo("hello-from-berth\n");

    String containerId = container(running).path("containerID").asText();
    assertThat(containerId).startsWith("containerd://");
    long tKill = System.nanoTime();
    containerd.ctr(
        "tasks", "kill", "-s", "SIGKILL", containerId.substring("containerd://".length()));
    JsonNode restarted =
        await(
            Duration.ofSeconds(10),
            () ->
                pod()
                    .filter(
                        p ->
                            container(p).path("restartCount").asInt() == 1
                                && container(p).path("state").has("running")));
    long tRestarted = System.nanoTime();
    assertThat(container(restarted).path("lastState").path("terminated").path("exitCode").asInt())
        .isEqualTo(137);
    assertThat(await(Duration.ofSeconds(5), () -> httpGet("http://" + ip + ":8080/index.html")))
        .isEqualTo("hello-from-berth\n");

    // a restarted berth adopts what runs: same container, same restart count, nothing recreated
    String restartedId = container(restarted).path("containerID").asText();
    berth.restartAgent();
    long tAgentRestart = System.nanoTime();
    JsonNode adopted =
        await(
            Duration.ofSeconds(10),
            () -> pod().filter(p -> container(p).path("state").has("running")));
    long tAdopted = System.nanoTime();
    assertThat(container(adopted).path("containerID").asText()).isEqualTo(restartedId);
    assertThat(container(adopted).path("restartCount").asInt()).isEqualTo(1);
    assertThat(podIp(adopted)).isEqualTo(ip);

    String uid = restarted.path("metadata").path("uid").asText();
    Files.delete(manifests.resolve("web.yaml"));
    long tDelete = System.nanoTime();
    await(
        Duration.ofSeconds(10),
        () ->
            cri.runtime()
                    .listPodSandbox(
                        PodSandboxFilter.withLabels(Map.of("io.kubernetes.pod.uid", uid)))
                    .isEmpty()
                ? Optional.of(true)
                : Optional.empty());
    long tGone = System.nanoTime();
    await(Duration.ofSeconds(5), () -> pod().isEmpty() ? Optional.of(true) : Optional.empty());
    System.err.printf(
        "StaticPodIT: manifest → Running %d ms, kill → restarted %d ms, berth restart → adopted"
            + " %d ms, delete → sandbox gone %d ms%n",
        (tRunning - t0) / 1_000_000,
        (tRestarted - tKill) / 1_000_000,
        (tAdopted - tAgentRestart) / 1_000_000,
        (tGone - tDelete) / 1_000_000);
    assertThat(Duration.ofNanos(tGone - tDelete)).isLessThan(Duration.ofSeconds(2 + 5));
  }

  @Test
  void removesPodsThatNoSourceClaimsOnceSourcesAreReady() throws Exception {
    await(
        Duration.ofSeconds(10),
        () ->
            cri.runtime()
                    .listPodSandbox(
                        PodSandboxFilter.withLabels(Map.of("io.kubernetes.pod.uid", strayUid)))
                    .isEmpty()
                ? Optional.of(true)
                : Optional.empty());
  }

  private Optional<JsonNode> pod() throws Exception {
    JsonNode list = json.readTree(get("/pods"));
    assertThat(list.path("kind").asText()).isEqualTo("PodList");
    for (JsonNode p : list.path("items")) {
      if (p.path("metadata").path("name").asText().equals(POD)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  private static String phase(JsonNode pod) {
    return pod.path("status").path("phase").asText();
  }

  private static String podIp(JsonNode pod) {
    return pod.path("status").path("podIP").asText();
  }

  private static JsonNode container(JsonNode pod) {
    return pod.path("status").path("containerStatuses").path(0);
  }

  private static Map<String, String> conditions(JsonNode pod) {
    Map<String, String> m = new java.util.TreeMap<>();
    pod.path("status")
        .path("conditions")
        .forEach(c -> m.put(c.path("type").asText(), c.path("status").asText()));
    return m;
  }

  private String get(String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + berth.agent().httpAddress().getPort() + path))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path).isEqualTo(200);
    return r.body();
  }

  private Optional<String> httpGet(String url) throws InterruptedException {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? Optional.of(r.body()) : Optional.empty();
    } catch (IOException notYet) {
      return Optional.empty();
    }
  }

  /**
   * Polls every 100 ms until {@code probe} has a value; fails with the last /pods after timeout.
   */
  private <T> T await(Duration timeout, Callable<Optional<T>> probe) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Optional<T> v = probe.call();
      if (v.isPresent()) {
        return v.get();
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "not reached within "
                + timeout
                + "; /pods: "
                + get("/pods")
                + "\nrejected: "
                + get("/pods/rejected")
                + "\nsandboxes: "
                + sandboxes());
      }
      Thread.sleep(100);
    }
  }

  private List<String> sandboxes() {
    return cri.runtime().listPodSandbox(PodSandboxFilter.all()).stream()
        .map(s -> s.metadata().name() + " " + s.state())
        .toList();
  }
}
