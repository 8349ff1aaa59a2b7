package io.berth.tests.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.cri.Container;
import io.berth.cri.ContainerFilter;
import io.berth.tests.apiserver.ApiResources;
import io.berth.tests.apiserver.TestApiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * {@code kubectl debug --target} against berth on real containerd: the ephemeral container is added
 * through pods/ephemeralcontainers, berth starts it in the pod's running sandbox (it reaches the
 * app on 127.0.0.1, so it shares the pod's network namespace, and sees the target's process as PID
 * 1), reports it in ephemeralContainerStatuses, and never restarts it after it exits; the app keeps
 * running.
 */
class ApiEphemeralContainersIT {
  private static final String NODE = "debug-node";

  @Test
  void kubectlDebugRunsAnEphemeralContainerOnceInThePod() throws Exception {
    try (TestApiServer api = TestApiServer.builder().tls(true).start()) {
      Path kubeconfig = api.writeKubeconfig(Files.createTempFile("berth-debug-", ".kubeconfig"));
      try (BerthOnContainerd berth =
          BerthOnContainerd.start(NODE, s -> s.withKubeconfig(kubeconfig))) {
        String image = berth.containerd.busyboxImage();
        ApiAgents.kubectl(
            kubeconfig,
            "create",
            "-f",
            Files.writeString(
                    berth.dir.resolve("app.yaml"),
                    """
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: app}
                    spec:
                      nodeName: %s
                      terminationGracePeriodSeconds: 1
                      containers:
                      - name: web
                        image: %s
                        command: [sh, -c, "mkdir -p /www && echo hello-from-app > /www/index.html && exec httpd -f -p 8080 -h /www"]
                    """
                        .formatted(NODE, image))
                .toString());
        JsonNode running =
            await(
                api, p -> p.at("/status/containerStatuses/0/state/running").isObject(), "app runs");
        String appId =
            running
                .at("/status/containerStatuses/0/containerID")
                .asText()
                .replace("containerd://", "");

        ApiAgents.kubectl(
            kubeconfig,
            "debug",
            "app",
            "--image=" + image,
            "--image-pull-policy=IfNotPresent",
            "-c",
            "debugger",
            "--target=web",
            "--",
            "sh",
            "-c",
            "wget -qO- http://127.0.0.1:8080/ > /dev/termination-log;"
                + " tr '\\0' ' ' < /proc/1/cmdline >> /dev/termination-log");
        JsonNode done =
            await(
                api,
                p -> p.at("/status/ephemeralContainerStatuses/0/state/terminated").isObject(),
                "the ephemeral container ran and exited");
        JsonNode status = done.at("/status/ephemeralContainerStatuses/0");
        assertThat(status.path("name").asText()).isEqualTo("debugger");
        assertThat(status.at("/state/terminated/exitCode").asInt()).isZero();
        assertThat(status.at("/state/terminated/message").asText())
            .as(
                "it reached the app on 127.0.0.1 (the pod's network namespace) and sees the app's"
                    + " httpd as PID 1 (--target: the web container's PID namespace)")
            .isEqualTo("hello-from-app\nhttpd -f -p 8080 -h /www ");

        Thread.sleep(
            12_000); // past berth's 10 s resync: an exited ephemeral container stays exited
        List<Container> debuggers =
            berth.cri.runtime().listContainers(ContainerFilter.all()).stream()
                .filter(c -> c.metadata().name().equals("debugger"))
                .toList();
        assertThat(debuggers).as("started once, never restarted").hasSize(1);
        JsonNode after = api.store().get(ApiResources.PODS, "default", "app");
        assertThat(after.at("/status/ephemeralContainerStatuses/0/restartCount").asInt()).isZero();
        assertThat(after.at("/status/containerStatuses/0/containerID").asText())
            .as("the app container was not touched")
            .isEqualTo("containerd://" + appId);
        assertThat(after.at("/status/phase").asText()).isEqualTo("Running");
        assertThat(debuggers.get(0).podSandboxId())
            .as("in the pod's own sandbox")
            .isEqualTo(
                berth.cri.runtime().listContainers(ContainerFilter.all()).stream()
                    .filter(c -> c.id().equals(appId))
                    .findFirst()
                    .orElseThrow()
                    .podSandboxId());
      } finally {
        Files.deleteIfExists(kubeconfig);
      }
    }
  }

  /** The pod "app" once {@code condition} holds for it in the API server (60 s at most). */
  private static JsonNode await(TestApiServer api, Predicate<JsonNode> condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    JsonNode p = null;
    while (System.nanoTime() < deadline) {
      p = api.store().get(ApiResources.PODS, "default", "app");
      if (condition.test(p)) {
        return p;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("not within 60 s: " + what + "; last: " + p);
  }
}
