package io.berth.tests.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.agent.NodeAgent;
import io.berth.agent.pod.LocalStorageEviction;
import io.berth.tests.apiserver.ApiResources;
import io.berth.tests.apiserver.TestApiServer;
import io.berth.tests.fixtures.ContainerdLauncher;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * berth run --kubeconfig: pods that kubectl creates for berth's node in the (test) API server run
 * on real containerd; pods of other nodes do not; kubectl delete stops them.
 */
class ApiServerPodsIT {
  private static final String NODE = "api-node";
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void podsBoundToTheNodeRunAndStopWhenDeleted() throws Exception {
    Path root = Files.createTempDirectory("berth-api-pods-");
    try (TestApiServer api = TestApiServer.builder().tls(true).start();
        ContainerdLauncher containerd = ContainerdLauncher.launch()) {
      Path kubeconfig = api.writeKubeconfig(root.resolve("kubeconfig"));
      String pod =
          """
          apiVersion: v1
          kind: Pod
          metadata: {name: %s}
          spec:
            nodeName: %s
            terminationGracePeriodSeconds: 2
            containers:
            - name: web
              image: %s
              command: ["sh", "-c", "mkdir -p /www && echo from-api > /www/index.html && exec httpd -f -p 8080 -h /www"]
          """;
      ApiAgents.kubectl(
          kubeconfig,
          "create",
          "-f",
          Files.writeString(
                  root.resolve("web.yaml"), pod.formatted("web", NODE, containerd.busyboxImage()))
              .toString());
      ApiAgents.kubectl(
          kubeconfig,
          "create",
          "-f",
          Files.writeString(
                  root.resolve("other.yaml"),
                  pod.formatted("elsewhere", "other-node", containerd.busyboxImage()))
              .toString());

      NodeAgent agent = ApiAgents.start(containerd, root, NODE, null, kubeconfig);
      try {
        JsonNode running =
            await(
                agent,
                "web",
                p ->
                    p.at("/status/phase").asText().equals("Running")
                        && !p.at("/status/podIP").asText().isEmpty(),
                "Running with an IP");
        assertThat(running.at("/metadata/annotations/kubernetes.io~1config.source").asText())
            .isEqualTo("api");
        assertThat(running.at("/metadata/uid").asText())
            .isEqualTo(
                api.store().get(ApiResources.PODS, "default", "web").at("/metadata/uid").asText());
        String ip = running.at("/status/podIP").asText();
        var page =
            http.send(
                HttpRequest.newBuilder(URI.create("http://" + ip + ":8080/"))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.body()).isEqualTo("from-api\n");
        assertThat(names(agent)).doesNotContain("elsewhere");
        assertThat(api.requests().entries())
            .anySatisfy(
                e ->
                    assertThat(e.uri())
                        .contains("fieldSelector=spec.nodeName%3D" + NODE)
                        .contains("watch=true"));

        String containerId =
            running
                .at("/status/containerStatuses/0/containerID")
                .asText()
                .replace("containerd://", "");
        assertThat(ApiAgents.runningTasks(containerd)).contains(containerId);
        long statusDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String wide = ApiAgents.kubectl(kubeconfig, "get", "pod", "web", "-o", "wide");
        while (!wide.contains("Running") && System.nanoTime() < statusDeadline) {
          Thread.sleep(200);
          wide = ApiAgents.kubectl(kubeconfig, "get", "pod", "web", "-o", "wide");
        }
        assertThat(wide)
            .as("the status berth sent, as kubectl shows it")
            .containsPattern(
                "web\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+" + ip.replace(".", "\\.") + "\\s+" + NODE);
        assertThat(api.store().get(ApiResources.PODS, "default", "web").at("/status/conditions"))
            .anySatisfy(
                c -> {
                  assertThat(c.path("type").asText()).isEqualTo("Ready");
                  assertThat(c.path("status").asText()).isEqualTo("True");
                });

        // the node: registered Ready with this host's capacity, and its lease renewed
        String node = ApiAgents.kubectl(kubeconfig, "get", "node", NODE, "-o", "wide");
        long readyDeadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!node.contains(" Ready ") && System.nanoTime() < readyDeadline) {
          Thread.sleep(500);
          node = ApiAgents.kubectl(kubeconfig, "get", "node", NODE, "-o", "wide");
        }
        assertThat(node)
            .containsPattern(
                NODE + "\\s+Ready\\s+<none>\\s+\\S+\\s+v1.32.0-berth-\\S+\\s+.*containerd://1\\.");
        JsonNode nodeObject = api.store().get(ApiResources.NODES, "", NODE);
        long cpus =
            Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                .filter(l -> l.startsWith("processor"))
                .count();
        String memKi =
            Files.readAllLines(Path.of("/proc/meminfo")).stream()
                    .filter(l -> l.startsWith("MemTotal:"))
                    .findFirst()
                    .orElseThrow()
                    .replaceAll("\\D", "")
                + "Ki";
        assertThat(nodeObject.at("/status/capacity/cpu").asText()).isEqualTo(Long.toString(cpus));
        assertThat(nodeObject.at("/status/capacity/memory").asText()).isEqualTo(memKi);
        assertThat(nodeObject.at("/status/capacity/pods").asText()).isEqualTo("110");
        assertThat(nodeObject.at("/metadata/labels/kubernetes.io~1hostname").asText())
            .isEqualTo(NODE);
        JsonNode lease = api.store().get(ApiResources.LEASES, "kube-node-lease", NODE);
        assertThat(lease.at("/spec/holderIdentity").asText()).isEqualTo(NODE);
        assertThat(lease.at("/spec/leaseDurationSeconds").asInt()).isEqualTo(40);
        String firstRenew = lease.at("/spec/renewTime").asText();
        long renewDeadline = System.nanoTime() + Duration.ofSeconds(25).toNanos();
        while (api.store()
                .get(ApiResources.LEASES, "kube-node-lease", NODE)
                .at("/spec/renewTime")
                .asText()
                .equals(firstRenew)
            && System.nanoTime() < renewDeadline) {
          Thread.sleep(500);
        }
        assertThat(
                api.store()
                    .get(ApiResources.LEASES, "kube-node-lease", NODE)
                    .at("/spec/renewTime")
                    .asText())
            .as("renewed within 10 s (+ tolerance)")
            .isNotEqualTo(firstRenew);
        assertThat(
                api.store()
                    .get(ApiResources.LEASES, "kube-node-lease", NODE)
                    .at("/metadata/ownerReferences/0/uid")
                    .asText())
            .isEqualTo(nodeObject.at("/metadata/uid").asText());

        // kubectl delete waits until berth has stopped the pod and made the final delete
        long started = System.nanoTime();
        ApiAgents.kubectl(kubeconfig, "delete", "pod", "web", "--timeout=60s");
        assertThat(Duration.ofNanos(System.nanoTime() - started))
            .as("grace 2 s, well under 60 s")
            .isLessThan(Duration.ofSeconds(30));
        assertThat(ApiAgents.podNames(api)).doesNotContain("web").contains("elsewhere");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (ApiAgents.runningTasks(containerd).contains(containerId)
            && System.nanoTime() < deadline) {
          Thread.sleep(200);
        }
        assertThat(ApiAgents.runningTasks(containerd))
            .as("the container stops after kubectl delete")
            .doesNotContain(containerId);
      } finally {
        agent.close();
      }
    } finally {
      ApiAgents.deleteTree(root);
    }
  }

  @Test
  void staticPodsArePublishedAsMirrorPods() throws Exception {
    Path root = Files.createTempDirectory("berth-api-mirror-");
    try (TestApiServer api = TestApiServer.builder().tls(true).start();
        ContainerdLauncher containerd = ContainerdLauncher.launch()) {
      Path kubeconfig = api.writeKubeconfig(root.resolve("kubeconfig"));
      Path manifests = Files.createDirectories(root.resolve("manifests"));
      Path manifest =
          Files.writeString(
              manifests.resolve("static-web.yaml"),
              """
          apiVersion: v1
          kind: Pod
          metadata: {name: static-web, namespace: default, labels: {app: static}}
          spec:
            terminationGracePeriodSeconds: 1
            containers:
            - name: web
              image: %s
              command: ["sleep", "3600"]
          """
                  .formatted(containerd.busyboxImage()));
      NodeAgent agent = ApiAgents.start(containerd, root, NODE, manifests, kubeconfig);
      try {
        String name = "static-web-" + NODE;
        String wide = "";
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!wide.contains("Running") && System.nanoTime() < deadline) {
          Thread.sleep(500);
          wide =
              ApiAgents.podNames(api).contains(name)
                  ? ApiAgents.kubectl(kubeconfig, "get", "pod", name)
                  : "";
        }
        assertThat(wide).containsPattern(name + "\\s+1/1\\s+Running");
        JsonNode mirror = api.store().get(ApiResources.PODS, "default", name);
        JsonNode local = await(agent, name, p -> true, "known");
        assertThat(mirror.at("/metadata/annotations/kubernetes.io~1config.mirror").asText())
            .isEqualTo(local.at("/metadata/uid").asText());
        assertThat(mirror.at("/metadata/ownerReferences/0/kind").asText()).isEqualTo("Node");
        assertThat(mirror.at("/metadata/uid").asText())
            .isNotEqualTo(local.at("/metadata/uid").asText());
        String containerId = mirror.at("/status/containerStatuses/0/containerID").asText();

        ApiAgents.kubectl(kubeconfig, "delete", "pod", name, "--wait=false");
        deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String firstUid = mirror.at("/metadata/uid").asText();
        while (System.nanoTime() < deadline
            && (!ApiAgents.podNames(api).contains(name)
                || api.store()
                    .get(ApiResources.PODS, "default", name)
                    .at("/metadata/uid")
                    .asText()
                    .equals(firstUid))) {
          Thread.sleep(200);
        }
        JsonNode recreated = api.store().get(ApiResources.PODS, "default", name);
        assertThat(recreated.at("/metadata/uid").asText())
            .as("a deleted mirror comes back")
            .isNotEqualTo(firstUid);
        assertThat(ApiAgents.runningTasks(containerd))
            .as("the static pod itself kept running")
            .contains(containerId.replace("containerd://", ""));

        Files.delete(manifest);
        deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (ApiAgents.podNames(api).contains(name) && System.nanoTime() < deadline) {
          Thread.sleep(200);
        }
        assertThat(ApiAgents.podNames(api))
            .as("the mirror goes with its manifest")
            .doesNotContain(name);
      } finally {
        agent.close();
      }
    } finally {
      ApiAgents.deleteTree(root);
    }
  }

  @Test
  void anApiPodOverItsEmptyDirLimitIsEvictedAsTheKubeletReportsItAndAStaticOneIsSpared()
      throws Exception {
    Path root = Files.createTempDirectory("berth-api-evict-");
    try (TestApiServer api = TestApiServer.builder().tls(true).start();
        ContainerdLauncher containerd = ContainerdLauncher.launch()) {
      Path kubeconfig = api.writeKubeconfig(root.resolve("kubeconfig"));
      String filler =
          """
          apiVersion: v1
          kind: Pod
          metadata: {name: %s, namespace: default}
          spec:
            %s
            terminationGracePeriodSeconds: 30
            containers:
            - name: main
              image: %s
              command: [sh, -c, "dd if=/dev/zero of=/scratch/fill bs=1M count=3; exec sleep 3600"]
              volumeMounts: [{name: scratch, mountPath: /scratch}]
            volumes: [{name: scratch, emptyDir: {sizeLimit: 1Mi}}]
          """;
      Path manifests = Files.createDirectories(root.resolve("manifests"));
      Files.writeString(
          manifests.resolve("static-fill.yaml"),
          filler.formatted("static-fill", "", containerd.busyboxImage()));
      ApiAgents.kubectl(
          kubeconfig,
          "create",
          "-f",
          Files.writeString(
                  root.resolve("fill.yaml"),
                  filler.formatted("fill", "nodeName: " + NODE, containerd.busyboxImage()))
              .toString());
      NodeAgent agent = ApiAgents.start(containerd, root, NODE, manifests, kubeconfig);
      try {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode status = api.store().get(ApiResources.PODS, "default", "fill").path("status");
        while (!status.path("reason").asText().equals("Evicted") && System.nanoTime() < deadline) {
          Thread.sleep(500);
          status = api.store().get(ApiResources.PODS, "default", "fill").path("status");
        }
        assertThat(status.path("phase").asText()).as("the API status").isEqualTo("Failed");
        assertThat(status.path("reason").asText()).isEqualTo("Evicted");
        assertThat(status.path("message").asText())
            .isEqualTo("Usage of EmptyDir volume \"scratch\" exceeds the limit \"1Mi\". ");
        assertThat(status.path("conditions").findValuesAsText("type"))
            .as("the kubelet sets DisruptionTarget only for node-pressure evictions")
            .contains("Ready")
            .doesNotContain("DisruptionTarget");
        String evictedId =
            status.at("/containerStatuses/0/containerID").asText().replace("containerd://", "");
        assertThat(evictedId).as("the evicted pod's container").isNotEmpty();
        long killDeadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (ApiAgents.runningTasks(containerd).contains(evictedId)
            && System.nanoTime() < killDeadline) {
          Thread.sleep(200);
        }
        assertThat(ApiAgents.runningTasks(containerd))
            .as("killed at once (2 s grace), not after the pod's 30 s")
            .doesNotContain(evictedId);

        // the static pod filled its emptyDir as fast: one more monitoring period for it
        Thread.sleep(LocalStorageEviction.PERIOD.plusSeconds(2).toMillis());
        JsonNode spared = await(agent, "static-fill-" + NODE, p -> true, "known");
        assertThat(spared.at("/status/phase").asText())
            .as("a static pod is critical: the kubelet never evicts it")
            .isEqualTo("Running");
        assertThat(spared.at("/status/reason").asText()).isEmpty();
      } finally {
        agent.close();
      }
    } finally {
      ApiAgents.deleteTree(root);
    }
  }

  private List<String> names(NodeAgent agent) throws Exception {
    List<String> out = new ArrayList<>();
    pods(agent).forEach(p -> out.add(p.at("/metadata/name").asText()));
    return out;
  }

  private JsonNode pods(NodeAgent agent) throws Exception {
    var r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + agent.httpAddress().getPort() + "/pods"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return json.readTree(r.body()).path("items");
  }

  private JsonNode await(NodeAgent agent, String name, Predicate<JsonNode> condition, String what)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      for (JsonNode pod : pods(agent)) {
        if (pod.at("/metadata/name").asText().equals(name)) {
          last = pod;
          if (condition.test(pod)) {
            return pod;
          }
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("pod " + name + " not " + what + " within 60 s; last seen: " + last);
  }
}
