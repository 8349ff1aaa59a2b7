package io.berth.tests.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.agent.NodeAgent;
import io.berth.tests.apiserver.ApiResources;
import io.berth.tests.apiserver.RequestLog;
import io.berth.tests.apiserver.TestApiServer;
import io.berth.tests.fixtures.ContainerdLauncher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * 50 pods created with one kubectl call for berth's node: the time until the API shows them all
 * Running and Ready, and berth's API requests per pod; then an API server outage with the pods
 * running: nothing else restarts, a container killed meanwhile is restarted and reported when the
 * server is back, and deletions made after it are carried out. The outage lasts one minute in CI
 * (five or six re-list retries of the reflector back-off, 0.8 s doubling, with jitter) and two with
 * {@code -Dberth.soak=full}; {@code -Dberth.apiOutageSeconds} sets it. The checks are the same for
 * every length.
 */
class ApiServerScaleIT {
  private static final String NODE = "scale-node";
  private static final int PODS = 50;
  private static final Duration OUTAGE =
      Duration.ofSeconds(
          Integer.getInteger(
              "berth.apiOutageSeconds",
              "full".equals(System.getProperty("berth.soak")) ? 120 : 60));

  @Test
  void fiftyPodsThroughTheApiAndAnOutage() throws Exception {
    Path root = Files.createTempDirectory("berth-api-scale-");
    try (TestApiServer api = TestApiServer.builder().tls(true).start();
        ContainerdLauncher containerd = ContainerdLauncher.launch()) {
      Path kubeconfig = api.writeKubeconfig(root.resolve("kubeconfig"));
      NodeAgent agent = ApiAgents.start(containerd, root, NODE, null, kubeconfig);
      try {
        // one multi-document file: kubectl validates a v1 List only against OpenAPI v2,
        // which the test API server does not serve (tests/docs/test-apiserver.md)
        StringBuilder docs = new StringBuilder();
        for (int i = 0; i < PODS; i++) {
          docs.append(
              """
              ---
              {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p%d"},
               "spec":{"nodeName":"%s","terminationGracePeriodSeconds":1,
                 "containers":[{"name":"c","image":"%s","command":["sleep","3600"]}]}}
              """
                  .formatted(i, NODE, containerd.busyboxImage()));
        }
        Path file = Files.writeString(root.resolve("pods.yaml"), docs.toString());
        awaitNodeRegistered(api);
        long requestsBefore = berthRequests(api.requests());
        long start = System.nanoTime();
        ApiAgents.kubectl(kubeconfig, "create", "-f", file.toString());
        awaitAllRunning(api, Duration.ofMinutes(4));
        Duration toRunning = Duration.ofNanos(System.nanoTime() - start);
        long requests = berthRequests(api.requests()) - requestsBefore;
        System.out.printf(
            "berth-api-scale: %d pods Running+Ready through the API in %d ms; berth"
                + " made %d API requests (%.2f per pod)%n",
            PODS, toRunning.toMillis(), requests, requests / (double) PODS);

        Map<String, String> containerIds = containerIds(api);
        api.stop();
        // during the outage the last pod's container dies; berth restarts it and must
        // report that once the API server is back
        String crashed = "p" + (PODS - 1);
        containerd.ctr("tasks", "kill", "-s", "SIGKILL", containerIds.get(crashed));
        Thread.sleep(OUTAGE.toMillis());
        List<String> running = ApiAgents.runningTasks(containerd);
        assertThat(running)
            .as("every other container keeps running while the API server is down")
            .containsAll(
                containerIds.entrySet().stream()
                    .filter(e -> !e.getKey().equals(crashed))
                    .map(Map.Entry::getValue)
                    .toList());
        api.restart();
        long statusDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (api.store()
                    .get(ApiResources.PODS, "default", crashed)
                    .at("/status/containerStatuses/0/restartCount")
                    .asInt()
                != 1
            && System.nanoTime() < statusDeadline) {
          Thread.sleep(500);
        }
        assertThat(
                api.store()
                    .get(ApiResources.PODS, "default", crashed)
                    .at("/status/containerStatuses/0/restartCount")
                    .asInt())
            .as("the restart during the outage is reported after it")
            .isEqualTo(1);

        for (int i = 0; i < 5; i++) {
          ApiAgents.kubectl(kubeconfig, "delete", "pod", "p" + i, "--wait=false");
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (podCount(api) > PODS - 5 && System.nanoTime() < deadline) {
          Thread.sleep(500);
        }
        assertThat(podCount(api))
            .as("berth stopped and finally deleted the 5 pods")
            .isEqualTo(PODS - 5);
        for (JsonNode pod :
            api.store().list(ApiResources.PODS, "default", p -> true, 0, null, null).items()) {
          if (pod.at("/metadata/name").asText().equals(crashed)) {
            continue;
          }
          assertThat(pod.at("/status/containerStatuses/0/restartCount").asInt())
              .as("restarts of %s", pod.at("/metadata/name").asText())
              .isZero();
          assertThat(pod.at("/status/containerStatuses/0/containerID").asText())
              .isEqualTo("containerd://" + containerIds.get(pod.at("/metadata/name").asText()));
        }
      } finally {
        agent.close();
      }
    } finally {
      ApiAgents.deleteTree(root);
    }
  }

  private static long berthRequests(RequestLog log) {
    return log.entries().stream()
        .filter(e -> e.userAgent() != null && e.userAgent().startsWith("berth/"))
        .count();
  }

  private static void awaitNodeRegistered(TestApiServer api) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      if (!api.store().list(ApiResources.NODES, null, n -> true, 0, null, null).items().isEmpty()) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("berth did not register its node within 30 s");
  }

  private static void awaitAllRunning(TestApiServer api, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int ready = 0;
    while (System.nanoTime() < deadline) {
      ready = 0;
      for (JsonNode pod :
          api.store().list(ApiResources.PODS, "default", p -> true, 0, null, null).items()) {
        boolean isReady = false;
        for (JsonNode c : pod.at("/status/conditions")) {
          isReady |=
              c.path("type").asText().equals("Ready") && c.path("status").asText().equals("True");
        }
        if (pod.at("/status/phase").asText().equals("Running") && isReady) {
          ready++;
        }
      }
      if (ready == PODS) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(ready + " of " + PODS + " pods Running+Ready within " + timeout);
  }

  private static Map<String, String> containerIds(TestApiServer api) {
    Map<String, String> ids = new HashMap<>();
    for (JsonNode pod :
        api.store().list(ApiResources.PODS, "default", p -> true, 0, null, null).items()) {
      ids.put(
          pod.at("/metadata/name").asText(),
          pod.at("/status/containerStatuses/0/containerID").asText().replace("containerd://", ""));
    }
    return ids;
  }

  private static int podCount(TestApiServer api) {
    return api.store().list(ApiResources.PODS, "default", p -> true, 0, null, null).items().size();
  }
}
