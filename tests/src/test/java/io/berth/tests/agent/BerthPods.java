package io.berth.tests.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.agent.NodeAgent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * What a user of berth sees in these ITs: the pods at berth's {@code /pods}, by name, plus an
 * {@link #await} that polls every 50 ms and fails with the current {@code /pods} after its timeout.
 */
final class BerthPods {
  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Supplier<NodeAgent> agent;

  BerthPods(Supplier<NodeAgent> agent) {
    this.agent = agent;
  }

  /** Every pod at {@code /pods}, keyed by {@code metadata.name}. */
  Map<String, JsonNode> all() throws IOException, InterruptedException {
    Map<String, JsonNode> pods = new LinkedHashMap<>();
    for (JsonNode p : json.readTree(get("/pods")).path("items")) {
      pods.put(p.path("metadata").path("name").asText(), p);
    }
    return pods;
  }

  Optional<JsonNode> pod(String name) throws IOException, InterruptedException {
    return Optional.ofNullable(all().get(name));
  }

  String get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + agent.get().httpAddress().getPort() + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new AssertionError("GET " + path + ": " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }

  <T> T await(Duration timeout, Callable<Optional<T>> probe) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Optional<T> v = probe.call();
      if (v.isPresent()) {
        return v.get();
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not reached within " + timeout + "; /pods: " + get("/pods"));
      }
      Thread.sleep(50);
    }
  }

  /** Waits until exactly {@code n} pods are listed and all of them run. */
  Map<String, JsonNode> awaitAllRunning(int n, Duration timeout) throws Exception {
    return await(
        timeout,
        () -> {
          Map<String, JsonNode> all = all();
          return all.size() == n && all.values().stream().allMatch(BerthPods::running)
              ? Optional.of(all)
              : Optional.empty();
        });
  }

  /** A one-container pod that sleeps for an hour (ignoring SIGTERM, as PID 1). */
  static String sleeperManifest(String name, String restartPolicy, String image) {
    return """
        apiVersion: v1
        kind: Pod
        metadata:
          name: %s
        spec:
          restartPolicy: %s
          terminationGracePeriodSeconds: 2
          containers:
          - name: main
            image: %s
            imagePullPolicy: Never
            command: ["sleep", "3600"]
        """
        .formatted(name, restartPolicy, image);
  }

  /**
   * Per pod name: container id, restart count and start time — what a restart of the container
   * would change.
   */
  static Map<String, String> containerSummary(Map<String, JsonNode> pods) {
    Map<String, String> m = new TreeMap<>();
    pods.forEach(
        (name, p) ->
            m.put(
                name,
                containerId(p)
                    + " restarts="
                    + container(p).path("restartCount").asInt()
                    + " started="
                    + container(p).path("state").path("running").path("startedAt").asText()));
    return m;
  }

  static String phase(JsonNode pod) {
    return pod.path("status").path("phase").asText();
  }

  /** The status of the pod's first container. */
  static JsonNode container(JsonNode pod) {
    return pod.path("status").path("containerStatuses").path(0);
  }

  static boolean running(JsonNode pod) {
    return phase(pod).equals("Running") && container(pod).path("state").has("running");
  }

  /** The container id without the {@code containerd://} prefix. */
  static String containerId(JsonNode pod) {
    String id = container(pod).path("containerID").asText();
    return id.substring(id.indexOf("://") + 3);
  }

  /** Writes a manifest atomically (temp + rename), as a careful user or tool would. */
  static void writeManifest(Path dir, String file, String yaml) throws IOException {
    Path tmp = dir.resolve("." + file + ".tmp");
    Files.writeString(tmp, yaml);
    Files.move(tmp, dir.resolve(file), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** Mount points (tmpfs volumes of pods) under {@code root}, from /proc/self/mountinfo. */
  static List<String> tmpfsMountsUnder(Path root) throws IOException {
    String prefix = root.toRealPath().toString();
    return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
        .map(l -> l.split(" "))
        .filter(f -> f[4].startsWith(prefix))
        .map(f -> f[4])
        .toList();
  }

  static void deleteTree(Path dir) {
    if (dir == null) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
