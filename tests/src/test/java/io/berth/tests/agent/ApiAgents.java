package io.berth.tests.agent;

import io.berth.agent.NodeAgent;
import io.berth.tests.apiserver.ApiResources;
import io.berth.tests.apiserver.TestApiServer;
import io.berth.tests.fixtures.Commands;
import io.berth.tests.fixtures.ContainerdLauncher;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** What the ITs of berth against the test API server share. */
final class ApiAgents {
  private ApiAgents() {}

  /** berth run --kubeconfig (and --pod-manifest-path when {@code manifests} is not null). */
  static NodeAgent start(
      ContainerdLauncher containerd, Path root, String node, Path manifests, Path kubeconfig)
      throws IOException {
    NodeAgent agent =
        new NodeAgent(
            new NodeAgent.Settings(
                    containerd.endpoint(),
                    new InetSocketAddress("127.0.0.1", 0),
                    node,
                    root,
                    Duration.ofSeconds(1),
                    manifests,
                    containerd.cgroupParent(),
                    containerd.podLogRoot(),
                    null)
                .withKubeconfig(kubeconfig),
            Clock.systemUTC(),
            Map.of());
    agent.start();
    return agent;
  }

  static String kubectl(Path kubeconfig, String... args) {
    List<String> command =
        new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    return Commands.run(command, Duration.ofSeconds(90)).stdout();
  }

  /** IDs of the tasks containerd reports RUNNING. */
  static List<String> runningTasks(ContainerdLauncher containerd) {
    List<String> ids = new ArrayList<>();
    containerd
        .ctr("tasks", "ls")
        .stdout()
        .lines()
        .filter(l -> l.contains("RUNNING"))
        .forEach(l -> ids.add(l.split("\\s+")[0]));
    return ids;
  }

  /** Names of the pods the API server holds, all namespaces. */
  static List<String> podNames(TestApiServer api) {
    List<String> out = new ArrayList<>();
    api.store()
        .list(ApiResources.PODS, null, p -> true, 0, null, null)
        .items()
        .forEach(p -> out.add(p.at("/metadata/name").asText()));
    return out;
  }

  /** The Node {@code name} as the API server holds it, if it exists. */
  static java.util.Optional<com.fasterxml.jackson.databind.JsonNode> node(
      TestApiServer api, String name) {
    return api
        .store()
        .list(
            ApiResources.NODES,
            null,
            n -> n.at("/metadata/name").asText().equals(name),
            0,
            null,
            null)
        .items()
        .stream()
        .findFirst()
        .map(n -> (com.fasterxml.jackson.databind.JsonNode) n);
  }

  static void deleteTree(Path root) throws IOException {
    try (var walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
