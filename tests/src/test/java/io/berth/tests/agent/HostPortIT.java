package io.berth.tests.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.tests.fixtures.CommandFailedException;
import io.berth.tests.fixtures.Commands;
import io.berth.tests.fixtures.NodeNetns;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * hostPort through the sandbox's port mappings: containerd runs in a node network namespace the
 * test makes (so the CNI portmap plugin's iptables rules land there, not on the host), berth asks
 * for the mapping, and a request to the node's address on the host port reaches the pod. A second
 * pod wanting the same host port is refused at admission; removing the first pod removes the
 * mapping.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostPortIT {
  private static final String NODE = "berth-hostport-node";
  private static final int HOST_PORT = 18080;
  private NodeNetns netns;
  private BerthOnContainerd berth;

  @BeforeAll
  void start() throws Exception {
    netns = NodeNetns.create("hp");
    berth = BerthOnContainerd.start(NODE, netns, s -> s);
  }

  @AfterAll
  void stop() {
    if (berth != null) {
      berth.close();
    }
    if (netns != null) {
      netns.close();
    }
  }

  private String pod(String name) {
    return """
        apiVersion: v1
        kind: Pod
        metadata: {name: %s}
        spec:
          terminationGracePeriodSeconds: 2
          containers:
          - name: httpd
            image: %s
            command: [sh, -c, "echo hello from %s > /tmp/index.html; exec httpd -f -p 8080 -h /tmp"]
            ports: [{containerPort: 8080, hostPort: %d}]
        """
        .formatted(name, berth.containerd.busyboxImage(), name, HOST_PORT);
  }

  /** A request to the node's address on the host port from inside the node; empty if refused. */
  private Optional<String> curlNode() {
    try {
      return Optional.of(
          Commands.run(
                  netns.command(
                      "curl",
                      "-sf",
                      "--max-time",
                      "3",
                      "http://" + netns.nodeIp() + ":" + HOST_PORT + "/"),
                  Duration.ofSeconds(10))
              .stdout());
    } catch (CommandFailedException e) {
      return Optional.empty();
    }
  }

  @Test
  void hostPortReachesThePodAndASecondClaimIsRefused() throws Exception {
    BerthPods.writeManifest(berth.manifests, "web.yaml", pod("web"));
    berth.pods.await(
        Duration.ofSeconds(60), () -> berth.pods.pod("web-" + NODE).filter(BerthPods::running));

    String body = berth.pods.await(Duration.ofSeconds(20), this::curlNode);
    assertThat(body).isEqualTo("hello from web\n");

    BerthPods.writeManifest(berth.manifests, "second.yaml", pod("second"));
    JsonNode second =
        berth.pods.await(
            Duration.ofSeconds(30),
            () ->
                berth.pods.pod("second-" + NODE).filter(p -> BerthPods.phase(p).equals("Failed")));
    assertThat(second.path("status").path("reason").asText()).isEqualTo("NodePorts");
    assertThat(second.path("status").path("message").asText())
        .contains("TCP/0.0.0.0:" + HOST_PORT + " is already used by pod default/web-" + NODE);

    Files.delete(berth.manifests.resolve("web.yaml"));
    berth.pods.await(
        Duration.ofSeconds(30),
        () -> berth.pods.pod("web-" + NODE).isEmpty() ? Optional.of(true) : Optional.empty());
    berth.pods.await(
        Duration.ofSeconds(20), () -> curlNode().isEmpty() ? Optional.of(true) : Optional.empty());
  }
}
