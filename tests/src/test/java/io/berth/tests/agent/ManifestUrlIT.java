package io.berth.tests.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.berth.agent.NodeAgent;
import io.berth.tests.fixtures.ContainerdLauncher;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** berth run --manifest-url: the pods of a polled PodList run like static pods from files. */
class ManifestUrlIT {
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void podsFromAManifestUrlRunAndCarryTheirSource() throws Exception {
    Path root = Files.createTempDirectory("berth-manifest-url-");
    HttpServer manifests = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    try (ContainerdLauncher containerd = ContainerdLauncher.launch()) {
      String podList =
          """
          {"apiVersion": "v1", "kind": "PodList", "items": [
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "from-url"},
             "spec": {"terminationGracePeriodSeconds": 1, "containers": [
               {"name": "web", "image": "%s",
                "command": ["sh", "-c", "mkdir -p /www && echo served > /www/index.html && exec httpd -f -p 8080 -h /www"]}]}}]}
          """
              .formatted(containerd.busyboxImage());
      manifests.createContext(
          "/pods.json",
          exchange -> {
            byte[] body = podList.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
          });
      manifests.start();
      URI url = URI.create("http://127.0.0.1:" + manifests.getAddress().getPort() + "/pods.json");
      NodeAgent agent =
          new NodeAgent(
              new NodeAgent.Settings(
                  containerd.endpoint(),
                  new InetSocketAddress("127.0.0.1", 0),
                  "url-node",
                  root,
                  Duration.ofSeconds(1),
                  null,
                  containerd.cgroupParent(),
                  containerd.podLogRoot(),
                  url),
              Clock.systemUTC(),
              Map.of());
      agent.start();
      try {
        JsonNode pod = awaitRunning(agent, "from-url-url-node");
        assertThat(pod.at("/metadata/annotations/kubernetes.io~1config.source").asText())
            .isEqualTo("http");
        String ip = pod.at("/status/podIP").asText();
        var page =
            http.send(
                HttpRequest.newBuilder(URI.create("http://" + ip + ":8080/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.body()).isEqualTo("served\n");
      } finally {
        agent.close();
      }
    } finally {
      manifests.stop(0);
      try (var walk = Files.walk(root)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private JsonNode awaitRunning(NodeAgent agent, String name) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      var r =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + agent.httpAddress().getPort() + "/pods"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      for (JsonNode pod : json.readTree(r.body()).path("items")) {
        if (pod.at("/metadata/name").asText().equals(name)) {
          last = pod;
          if (pod.at("/status/phase").asText().equals("Running")
              && !pod.at("/status/podIP").asText().isEmpty()) {
            return pod;
          }
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("pod " + name + " not Running within 30 s; last seen: " + last);
  }
}
