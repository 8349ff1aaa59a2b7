package io.berth.tests.soak;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.agent.NodeAgent;
import io.berth.cri.ContainerFilter;
import io.berth.cri.CriRuntime;
import io.berth.cri.PodSandboxFilter;
import io.berth.tests.apiserver.ApiError;
import io.berth.tests.apiserver.ApiResources;
import io.berth.tests.apiserver.TestApiServer;
import io.berth.tests.fixtures.ContainerdLauncher;
import io.berth.tests.fixtures.CriPods;
import io.berth.tests.fixtures.Poll;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Pod churn through the (test) API server with the server cut off and restored in between: pods
 * created just before the cut and deletions made while berth cannot see the server. berth runs in
 * the test's JVM against a private containerd; pods are created and deleted in the server's store,
 * as a scheduler and a user would, and their state is read back from the API (the status berth
 * reported) and from the runtime.
 *
 * <p>Afterwards: every pod the API still holds is Running with the container it had, the keepers
 * were never restarted, every deleted pod is gone from the API and the runtime, and the runtime
 * holds exactly the keepers' sandboxes and containers. One summary line, as {@link ChurnSoakIT}.
 * {@code -Dberth.soak=full} runs 100 rounds and cuts the server off four times.
 */
@Tag("soak")
class ApiOutageSoakIT {
  private static final String NODE = "berth-soak-api";
  private static final int PODS_PER_ROUND = 5;
  private static final Duration OUTAGE = Duration.ofSeconds(5);
  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final boolean full = "full".equals(System.getProperty("berth.soak"));
  private TestApiServer api;
  private ContainerdLauncher containerd;
  private CriRuntime cri;
  private int round;

  @Test
  void podsFollowTheirSpecsAcrossApiServerOutages() throws Exception {
    Path root = Files.createTempDirectory("berth-soak-api-");
    NodeAgent agent = null;
    try {
      api = TestApiServer.builder().tls(true).start();
      containerd = ContainerdLauncher.launch();
      cri = CriRuntime.connect(containerd.endpoint());
      agent =
          new NodeAgent(
              new NodeAgent.Settings(
                      containerd.endpoint(),
                      new InetSocketAddress("127.0.0.1", 0),
                      NODE,
                      root,
                      Duration.ofSeconds(1),
                      null,
                      containerd.cgroupParent(),
                      containerd.podLogRoot(),
                      null)
                  .withKubeconfig(api.writeKubeconfig(root.resolve("kubeconfig"))),
              Clock.systemUTC(),
              Map.of());
      agent.start();
      run();
    } finally {
      if (agent != null) {
        agent.close();
      }
      cleanUp(root);
    }
  }

  private void run() throws Exception {
    List<String> keepers = List.of("keeper-0", "keeper-1");
    keepers.forEach(this::createPod);
    awaitRunning(keepers);
    Map<String, String> keepersAtStart = containers(keepers);
    int rounds = full ? 100 : 3;
    int cuts = full ? 4 : 1;
    List<String> faults = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      boolean cut = i % (rounds / cuts) == rounds / cuts / 2;
      List<String> names = startRound();
      if (cut) {
        // cut off before berth may have seen the new pods; they must start once it is back
        api.stop();
        Thread.sleep(OUTAGE.toMillis());
        api.restart();
        faults.add("API server cut off " + OUTAGE.toSeconds() + " s while pods were created");
      }
      awaitRunning(names);
      if (cut) {
        // deleted while berth cannot see the server: the deletions must be honoured afterwards
        api.stop();
        names.forEach(this::deletePod);
        Thread.sleep(OUTAGE.toMillis());
        api.restart();
        faults.add("API server cut off " + OUTAGE.toSeconds() + " s while pods were deleted");
      } else {
        names.forEach(this::deletePod);
      }
      awaitGone(names);
    }
    List<String> violations = new ArrayList<>();
    Map<String, String> keepersNow = containers(keepers);
    if (!keepersNow.equals(keepersAtStart)) {
      violations.add("keeper containers changed: " + keepersAtStart + " -> " + keepersNow);
    }
    for (String k : keepers) {
      if (!phase(k).equals("Running")) {
        violations.add(k + " is " + phase(k) + " in the API");
      }
    }
    int sandboxes = cri.runtime().listPodSandbox(PodSandboxFilter.all()).size();
    int containers = cri.runtime().listContainers(ContainerFilter.all()).size();
    if (sandboxes != keepers.size() || containers != keepers.size()) {
      violations.add(
          "runtime holds " + sandboxes + " sandboxes and " + containers + " containers, not 2+2");
    }
    int pods = api.store().list(ApiResources.PODS, null, p -> true, 0, null, null).items().size();
    if (pods != keepers.size()) {
      violations.add("the API holds " + pods + " pods, not the 2 keepers");
    }
    System.out.printf(
        Locale.ROOT,
        "SOAK api-outage: load held: %d rounds x %d API pods + 2 keepers; faults injected: %d %s;"
            + " invariants checked: 4; violations: %d %s%n",
        rounds,
        PODS_PER_ROUND,
        faults.size(),
        faults,
        violations.size(),
        violations);
    assertThat(violations).isEmpty();
  }

  private List<String> startRound() {
    round++;
    List<String> names = new ArrayList<>();
    for (int i = 0; i < PODS_PER_ROUND; i++) {
      names.add("churn-" + round + "-" + i);
    }
    names.forEach(this::createPod);
    return names;
  }

  private void createPod(String name) {
    try {
      api.store()
          .create(
              ApiResources.PODS,
              "default",
              (ObjectNode)
                  JSON.readTree(
                      """
                      {"metadata": {"name": "%s", "namespace": "default"},
                       "spec": {"nodeName": "%s", "terminationGracePeriodSeconds": 1,
                         "containers": [{"name": "main", "image": "%s",
                           "imagePullPolicy": "Never", "command": ["sleep", "3600"]}]}}
                      """
                          .formatted(name, NODE, containerd.busyboxImage())));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void deletePod(String name) {
    api.store().delete(ApiResources.PODS, "default", name, null, null, null);
  }

  private Optional<JsonNode> pod(String name) {
    try {
      return Optional.of(api.store().get(ApiResources.PODS, "default", name));
    } catch (ApiError e) {
      return Optional.empty();
    }
  }

  private String phase(String name) {
    return pod(name).map(p -> p.at("/status/phase").asText()).orElse("(gone)");
  }

  private void awaitRunning(List<String> names) throws Exception {
    Poll.until(
        "round " + round + ": " + names + " Running in the API",
        TIMEOUT,
        Duration.ofMillis(250),
        () ->
            names.stream().allMatch(n -> phase(n).equals("Running"))
                ? Optional.of(true)
                : Optional.empty(),
        () -> names.stream().map(n -> n + "=" + phase(n)).toList().toString());
  }

  private void awaitGone(List<String> names) throws Exception {
    Poll.until(
        "round " + round + ": " + names + " gone from the API and the runtime",
        TIMEOUT,
        Duration.ofMillis(250),
        () -> {
          boolean inApi = names.stream().anyMatch(n -> pod(n).isPresent());
          boolean inRuntime =
              cri.runtime().listPodSandbox(PodSandboxFilter.all()).stream()
                  .anyMatch(s -> names.contains(s.metadata().name()));
          return inApi || inRuntime ? Optional.empty() : Optional.of(true);
        },
        () -> names.stream().map(n -> n + "=" + phase(n)).toList().toString());
  }

  /** Pod name → container ID and restart count, as berth reported them to the API. */
  private Map<String, String> containers(List<String> names) {
    Map<String, String> m = new TreeMap<>();
    for (String n : names) {
      JsonNode c = pod(n).map(p -> p.at("/status/containerStatuses/0")).orElse(JSON.nullNode());
      m.put(n, c.path("containerID").asText() + " restarts=" + c.path("restartCount").asInt());
    }
    return m;
  }

  private void cleanUp(Path root) throws Exception {
    if (cri != null) {
      if (containerd.isRunning()) {
        CriPods.removeAllSandboxes(cri.runtime());
      }
      cri.close();
    }
    if (containerd != null) {
      containerd.close();
    }
    if (api != null) {
      api.close();
    }
    try (var walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
