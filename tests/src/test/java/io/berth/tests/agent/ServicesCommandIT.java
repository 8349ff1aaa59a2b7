package io.berth.tests.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.tests.fixtures.BerthCommand;
import io.berth.tests.fixtures.Commands;
import io.berth.tests.fixtures.NodeNetns;
import io.berth.tests.fixtures.Poll;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code berth services} against a real {@code berth run} with {@code --service-dir}, in a node
 * network namespace of the test's own (berth programs its nftables tables there): the table row
 * reads like {@code kubectl get svc -o wide} and {@code -o json} is the ServiceList of {@code GET
 * /services}.
 */
class ServicesCommandIT {

  @Test
  void listsTheServicesTheProxyPrograms() throws Exception {
    Path dir = Files.createTempDirectory("berth-services-it-");
    Path services = Files.createDirectory(dir.resolve("services"));
    Files.writeString(
        services.resolve("web.yaml"),
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
          namespace: shop
        spec:
          type: NodePort
          selector: {app: web}
          clusterIP: 10.96.79.10
          clusterIPs: [10.96.79.10]
          ports:
          - {name: http, port: 80, targetPort: 8080, nodePort: 30799}
        """);
    Process berth = null;
    try (NodeNetns node = NodeNetns.create("svc")) {
      berth =
          new ProcessBuilder(
                  node.command(
                      BerthCommand.of(
                              "run",
                              "--container-runtime-endpoint",
                              "unix://" + dir.resolve("no-runtime.sock"),
                              "--node-name",
                              "berth-svc-node",
                              "--root-dir",
                              dir.toString(),
                              "--service-dir",
                              services.toString(),
                              "--proxy-mode",
                              "nftables")
                          .toArray(String[]::new)))
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("berth.log").toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      String table =
          Poll.until(
              "berth services to list shop/web",
              Duration.ofSeconds(60),
              Duration.ofMillis(250),
              () -> tryRun(node, "services").filter(out -> out.contains("web")),
              () -> log(dir));
      assertThat(table.lines())
          .containsExactly(
              "NAMESPACE   NAME   TYPE       CLUSTER-IP    EXTERNAL-IP   PORT(S)        AGE      "
                  + "   SELECTOR",
              "shop        web    NodePort   10.96.79.10   <none>        80:30799/TCP   <unknown>"
                  + "   app=web");
      JsonNode json = new ObjectMapper().readTree(run(node, "services", "-o", "json").stdout());
      assertThat(json.path("kind").asText()).isEqualTo("ServiceList");
      assertThat(json.path("items").path(0).path("spec").path("clusterIP").asText())
          .isEqualTo("10.96.79.10");
    } finally {
      if (berth != null) {
        berth.destroy();
        if (!berth.waitFor(20, TimeUnit.SECONDS)) {
          berth.destroyForcibly();
        }
      }
      BerthPods.deleteTree(dir);
    }
  }

  private static Commands.Result run(NodeNetns node, String... args) {
    return node.run(BerthCommand.of(args).toArray(String[]::new));
  }

  /** The output of {@code berth args} in the node; empty while it fails (berth not up yet). */
  private static Optional<String> tryRun(NodeNetns node, String... args) throws Exception {
    Process p =
        new ProcessBuilder(node.command(BerthCommand.of(args).toArray(String[]::new)))
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return Optional.empty();
    }
    return p.exitValue() == 0 ? Optional.of(out) : Optional.empty();
  }

  private static String log(Path dir) {
    try {
      return Files.readString(dir.resolve("berth.log"));
    } catch (java.io.IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }
}
