package io.berth.tests.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.tests.fixtures.CommandFailedException;
import io.berth.tests.fixtures.Commands;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real kubectl (v1.32, /usr/bin/kubectl) against the test API server over TLS. */
class KubectlIT {
  private static final String POD =
      """
      apiVersion: v1
      kind: Pod
      metadata:
        name: %s
        labels:
          app: web
      spec:
        nodeName: node-a
        containers:
        - name: web
          image: registry.berth.test/busybox:1.0
          command: ["sleep", "3600"]
      """;

  @TempDir static Path dir;
  private static TestApiServer server;
  private static Path kubeconfig;

  @BeforeAll
  static void start() throws Exception {
    server = TestApiServer.builder().tls(true).start();
    kubeconfig = server.writeKubeconfig(dir.resolve("kubeconfig"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static String kubectl(String... args) {
    List<String> command =
        new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    return Commands.run(command, Map.of(), null, Duration.ofSeconds(60)).stdout();
  }

  private static Path manifest(String name, String yaml) throws Exception {
    return Files.writeString(dir.resolve(name + ".yaml"), yaml);
  }

  private static void setStatus(String pod, String statusJson) throws Exception {
    server
        .store()
        .patch(
            ApiResources.PODS,
            "default",
            pod,
            "application/merge-patch+json",
            Json.MAPPER.readTree("{\"status\":" + statusJson + "}"),
            true);
  }

  @Test
  void createGetAndGracefulDelete() throws Exception {
    assertThat(kubectl("create", "-f", manifest("web", POD.formatted("web")).toString()))
        .contains("pod/web created");
    assertThat(kubectl("get", "pods", "-o", "wide"))
        .containsPattern("web\\s+0/1\\s+Pending\\s+0\\s+\\d+s\\s+<none>\\s+node-a");

    setStatus(
        "web",
        """
        {"phase":"Running","podIP":"10.213.5.7","podIPs":[{"ip":"10.213.5.7"}],
         "conditions":[{"type":"Ready","status":"True"}],
         "containerStatuses":[{"name":"web","ready":true,"restartCount":0,
           "state":{"running":{"startedAt":"2026-01-01T00:00:00Z"}}}]}""");
    String wide = kubectl("get", "pods", "-o", "wide");
    assertThat(wide.lines().findFirst().orElseThrow())
        .containsPattern(
            "NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE\\s+IP\\s+NODE\\s+NOMINATED NODE");
    assertThat(wide).containsPattern("web\\s+1/1\\s+Running\\s+0\\s+\\d+s\\s+10.213.5.7\\s+node-a");

    JsonNode json = Json.MAPPER.readTree(kubectl("get", "pod", "web", "-o", "json"));
    assertThat(json.path("metadata").path("uid").asText())
        .isEqualTo(
            server
                .store()
                .get(ApiResources.PODS, "default", "web")
                .path("metadata")
                .path("uid")
                .asText());
    assertThat(json.path("status").path("podIP").asText()).isEqualTo("10.213.5.7");

    assertThat(kubectl("delete", "pod", "web", "--wait=false")).contains("pod \"web\" deleted");
    assertThat(kubectl("get", "pods")).containsPattern("web\\s+1/1\\s+Terminating");
    JsonNode marked = server.store().get(ApiResources.PODS, "default", "web");
    assertThat(marked.path("metadata").path("deletionGracePeriodSeconds").asLong()).isEqualTo(30);

    // the kubelet's final delete once the containers are gone
    server.store().delete(ApiResources.PODS, "default", "web", 0L, null, null);
    Throwable gone = catchThrowable(() -> kubectl("get", "pod", "web"));
    assertThat(gone)
        .isInstanceOf(CommandFailedException.class)
        .hasMessageContaining("pods \"web\" not found");
  }

  @Test
  void getNodesShowsReadyAndCapacityFields() throws Exception {
    server
        .store()
        .create(
            ApiResources.NODES,
            "",
            (com.fasterxml.jackson.databind.node.ObjectNode)
                Json.MAPPER.readTree(
                    """
            {"metadata":{"name":"node-b","labels":{"kubernetes.io/hostname":"node-b"}},
             "status":{"conditions":[{"type":"Ready","status":"True"}],
               "addresses":[{"type":"InternalIP","address":"10.0.0.5"}],
               "capacity":{"cpu":"2","memory":"4Gi","pods":"110"},
               "nodeInfo":{"kubeletVersion":"v1.32.0-berth","osImage":"Debian GNU/Linux 12",
                 "kernelVersion":"6.1.0","containerRuntimeVersion":"containerd://1.6.20"}}}"""));
    assertThat(kubectl("get", "nodes", "-o", "wide"))
        .containsPattern(
            "node-b\\s+Ready\\s+<none>\\s+\\d+s\\s+v1.32.0-berth\\s+10.0.0.5\\s+<none>\\s+Debian GNU/Linux"
                + " 12\\s+6.1.0\\s+containerd://1.6.20");
    assertThat(kubectl("get", "no", "node-b", "-o", "jsonpath={.status.capacity.pods}"))
        .isEqualTo("110");
  }

  @Test
  void applyPatchAndLabel() throws Exception {
    Path file = manifest("app", POD.formatted("app"));
    assertThat(kubectl("apply", "-f", file.toString())).contains("pod/app created");
    Files.writeString(
        file,
        POD.formatted("app")
            .replace("app: web", "app: web\n    tier: front")
            .replace("busybox:1.0", "busybox:2.0"));
    assertThat(kubectl("apply", "-f", file.toString())).contains("pod/app configured");
    JsonNode applied = server.store().get(ApiResources.PODS, "default", "app");
    assertThat(applied.path("metadata").path("labels").path("tier").asText()).isEqualTo("front");
    assertThat(applied.path("spec").path("containers").get(0).path("image").asText())
        .isEqualTo("registry.berth.test/busybox:2.0");
    assertThat(
            applied
                .path("metadata")
                .path("annotations")
                .has("kubectl.kubernetes.io/last-applied-configuration"))
        .isTrue();
    assertThat(kubectl("apply", "-f", file.toString())).contains("pod/app unchanged");

    assertThat(kubectl("label", "pod", "app", "team=berth")).contains("pod/app labeled");
    assertThat(
            kubectl("patch", "pod", "app", "-p", "{\"metadata\":{\"annotations\":{\"a\":\"b\"}}}"))
        .contains("pod/app patched");
    assertThat(
            kubectl(
                "patch",
                "pod",
                "app",
                "--type=json",
                "-p",
                "[{\"op\":\"remove\",\"path\":\"/metadata/labels/tier\"}]"))
        .contains("pod/app patched");
    assertThat(kubectl("get", "pods", "-l", "team=berth", "--show-labels"))
        .containsPattern("app\\s+.*app=web,team=berth");
    assertThat(kubectl("get", "pods", "--field-selector", "spec.nodeName=elsewhere")).isEmpty();
    kubectl("delete", "pod", "app", "--grace-period=0", "--force");
  }

  @Test
  void getWatchReceivesAnEvent() throws Exception {
    kubectl("create", "-f", manifest("watched", POD.formatted("watched")).toString());
    Process watch =
        new ProcessBuilder(
                "kubectl",
                "--kubeconfig",
                kubeconfig.toString(),
                "get",
                "pod",
                "watched",
                "-w",
                "--output-watch-events")
            .redirectErrorStream(true)
            .start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(watch.getInputStream(), StandardCharsets.UTF_8))) {
                in.lines().forEach(lines::add);
              } catch (java.io.IOException e) {
                lines.add("read failed: " + e);
              }
            });
    reader.setDaemon(true);
    reader.start();
    try {
      assertThat(lines.poll(20, TimeUnit.SECONDS)).containsPattern("EVENT\\s+NAME\\s+READY");
      assertThat(lines.poll(20, TimeUnit.SECONDS)).containsPattern("ADDED\\s+watched\\s+0/1");
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (server.faults().openWatches() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(server.faults().openWatches()).as("kubectl's watch is open").isEqualTo(1);
      setStatus(
          "watched",
          "{\"phase\":\"Running\",\"containerStatuses\":[{\"name\":\"web\","
              + "\"ready\":true,\"restartCount\":0,\"state\":{\"running\":{}}}]}");
      assertThat(lines.poll(20, TimeUnit.SECONDS))
          .containsPattern("MODIFIED\\s+watched\\s+1/1\\s+Running");
    } finally {
      watch.destroy();
      watch.waitFor(5, TimeUnit.SECONDS);
      server.store().delete(ApiResources.PODS, "default", "watched", 0L, null, null);
    }
  }
}
