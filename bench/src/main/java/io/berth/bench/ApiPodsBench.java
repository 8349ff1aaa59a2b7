package io.berth.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.agent.NodeAgent;
import io.berth.tests.apiserver.ApiResources;
import io.berth.tests.apiserver.TestApiServer;
import io.berth.tests.fixtures.Commands;
import io.berth.tests.fixtures.ContainerdLauncher;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Pods from the API server (#8): {@code kubectl create} of N pods for berth's node until the API
 * shows all of them Running and Ready, with berth's API requests and bytes per pod. The anchor is
 * the same N pods given to the same berth as static manifests, until berth's own {@code /pods}
 * shows them Running and Ready: the ratio is what the API path (watch, admission of bound pods,
 * status patches) adds to running pods.
 *
 * <p>Usage: {@code bench/run api-pods [--pods N]} (default 50).
 */
public final class ApiPodsBench {
  private static final String NODE = "bench-api";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  public static void main(String[] args) throws Exception {
    int pods = 50;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--pods" -> pods = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Path work = Files.createTempDirectory("berth-api-pods-");
    Path manifests = Files.createDirectories(work.resolve("manifests"));
    try (TestApiServer api = TestApiServer.builder().tls(true).start();
        ContainerdLauncher containerd = ContainerdLauncher.launch()) {
      Path kubeconfig = api.writeKubeconfig(work.resolve("kubeconfig"));
      NodeAgent agent =
          new NodeAgent(
              new NodeAgent.Settings(
                      containerd.endpoint(),
                      new InetSocketAddress("127.0.0.1", 0),
                      NODE,
                      work,
                      Duration.ofSeconds(1),
                      manifests,
                      containerd.cgroupParent(),
                      containerd.podLogRoot(),
                      null)
                  .withKubeconfig(kubeconfig),
              Clock.systemUTC(),
              Map.of());
      agent.start();
      try {
        URI local = URI.create("http://127.0.0.1:" + agent.httpAddress().getPort());
        awaitNode(api);
        run(pods, api, kubeconfig, manifests, containerd.busyboxImage(), local);
      } finally {
        agent.close();
      }
    } finally {
      try (Stream<Path> walk = Files.walk(work)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void run(
      int pods, TestApiServer api, Path kubeconfig, Path manifests, String image, URI local)
      throws Exception {
    // warm-up: one pod each way, not recorded; the API round ends once no pod is left in the API,
    // the static pod's mirror pod included
    staticRound(1, manifests, image, local);
    apiRound(1, api, kubeconfig, image, local);

    Map<String, Double> before = apiCounters(local);
    long apiNanos = apiRound(pods, api, kubeconfig, image, local);
    Map<String, Double> after = apiCounters(local);
    long staticNanos = staticRound(pods, manifests, image, local);

    double requests = delta(before, after, "berth_apiserver_requests_total") / pods;
    double sent = delta(before, after, "berth_apiserver_request_bytes_total") / pods;
    double received = delta(before, after, "berth_apiserver_response_bytes_total") / pods;
    double patches = delta(before, after, "berth_pod_status_patches_total") / pods;
    System.out.printf(
        Locale.ROOT,
        "pods from the API server, %d pods, %d cores, load average %.1f; berth: kubectl create ->"
            + " all Running+Ready in the API; anchor: the same pods as static manifests -> all"
            + " Running+Ready in berth's /pods%n%n",
        pods,
        Runtime.getRuntime().availableProcessors(),
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    System.out.println("| measurement | API pods | static pods (anchor) | API/static |");
    System.out.println("|---|---:|---:|---:|");
    System.out.printf(
        Locale.ROOT,
        "| %d pods: all Running+Ready, ms | %.0f | %.0f | %.2f |%n",
        pods,
        apiNanos / 1e6,
        staticNanos / 1e6,
        apiNanos / (double) staticNanos);
    BenchResults results = new BenchResults("api-pods", "--pods", "" + pods);
    results.figure(
        Figure.of(
            "api-" + pods + "-all",
            pods + " pods from the API: all Running+Ready",
            "ms",
            apiNanos / 1e6,
            staticNanos / 1e6,
            "the same pods as static manifests, same berth"));
    results.figure(
        Figure.of(
            "api-requests-per-pod", "API requests per pod", "requests", requests, Double.NaN, ""));
    results.figure(
        Figure.of(
            "api-bytes-per-pod",
            "API bytes per pod, sent + received",
            "bytes",
            sent + received,
            Double.NaN,
            ""));
    results.writeIfRequested();
    System.out.printf(
        Locale.ROOT,
        "%nberth's API traffic per pod, from create to Running+Ready and deletion: %.2f requests"
            + " (%.2f status patches), %.0f bytes sent, %.0f bytes received (watch events"
            + " included)%n",
        requests,
        patches,
        sent,
        received);
  }

  /** kubectl create of {@code n} pods → all Running+Ready in the API; deletes them after. */
  private static long apiRound(int n, TestApiServer api, Path kubeconfig, String image, URI local)
      throws Exception {
    StringBuilder docs = new StringBuilder();
    for (int i = 0; i < n; i++) {
      docs.append(
          """
          ---
          {"apiVersion":"v1","kind":"Pod","metadata":{"name":"api-%d"},
           "spec":{"nodeName":"%s","terminationGracePeriodSeconds":1,
             "containers":[{"name":"c","image":"%s","command":["sleep","3600"]}]}}
          """
              .formatted(i, NODE, image));
    }
    Path file = Files.writeString(kubeconfig.resolveSibling("pods.yaml"), docs.toString());
    long start = System.nanoTime();
    kubectl(kubeconfig, "create", "-f", file.toString());
    await(n, () -> readyInApi(api), "pods Running+Ready in the API");
    long took = System.nanoTime() - start;
    kubectl(kubeconfig, "delete", "pods", "--all", "--wait=false");
    await(
        0,
        () ->
            api.store().list(ApiResources.PODS, "default", p -> true, 0, null, null).items().size(),
        "pods left in the API");
    await(0, () -> runningLocally(local), "pods left on the node");
    return took;
  }

  /** The same pods as static manifests → all Running+Ready in berth's /pods; removed after. */
  private static long staticRound(int n, Path manifests, String image, URI local) throws Exception {
    long start = System.nanoTime();
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Path tmp = manifests.resolve(".static-" + i + ".tmp");
      Files.writeString(
          tmp,
          """
          {"apiVersion":"v1","kind":"Pod","metadata":{"name":"static-%d"},
           "spec":{"terminationGracePeriodSeconds":1,
             "containers":[{"name":"c","image":"%s","command":["sleep","3600"]}]}}
          """
              .formatted(i, image));
      files.add(Files.move(tmp, manifests.resolve("static-" + i + ".json")));
    }
    await(n, () -> runningLocally(local), "static pods Running+Ready in /pods");
    long took = System.nanoTime() - start;
    for (Path f : files) {
      Files.delete(f);
    }
    await(0, () -> runningLocally(local), "pods left on the node");
    return took;
  }

  private static int readyInApi(TestApiServer api) {
    int ready = 0;
    for (JsonNode pod :
        api.store().list(ApiResources.PODS, "default", p -> true, 0, null, null).items()) {
      ready += runningAndReady(pod) ? 1 : 0;
    }
    return ready;
  }

  /** Pods on berth's own {@code /pods} that are Running and Ready (any source). */
  private static int runningLocally(URI local) {
    try {
      JsonNode list =
          JSON.readTree(
              HTTP.send(
                      HttpRequest.newBuilder(local.resolve("/pods")).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body());
      int ready = 0;
      for (JsonNode pod : list.path("items")) {
        ready += runningAndReady(pod) ? 1 : 0;
      }
      return ready;
    } catch (Exception e) {
      throw new IllegalStateException("berth's /pods: " + e, e);
    }
  }

  private static boolean runningAndReady(JsonNode pod) {
    if (!pod.at("/status/phase").asText().equals("Running")) {
      return false;
    }
    for (JsonNode c : pod.at("/status/conditions")) {
      if (c.path("type").asText().equals("Ready") && c.path("status").asText().equals("True")) {
        return true;
      }
    }
    return false;
  }

  private static void await(int wanted, IntSupplier count, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    int now;
    while ((now = count.getAsInt()) != wanted) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(what + ": " + now + ", wanted " + wanted + " in 5 min");
      }
      Thread.sleep(100);
    }
  }

  private static void awaitNode(TestApiServer api) throws InterruptedException {
    await(
        1,
        () -> api.store().list(ApiResources.NODES, null, n -> true, 0, null, null).items().size(),
        "registered nodes");
  }

  private static void kubectl(Path kubeconfig, String... args) {
    List<String> command =
        new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    Commands.run(command, Duration.ofSeconds(120));
  }

  private static final Pattern COUNTER =
      Pattern.compile(
          "(?m)^(berth_apiserver_\\w+_total|berth_pod_status_patches_total)(?:\\{[^}]*\\})? (\\S+)$");

  private static Map<String, Double> apiCounters(URI local) throws Exception {
    String body =
        HTTP.send(
                HttpRequest.newBuilder(local.resolve("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    Map<String, Double> counters = new java.util.HashMap<>();
    Matcher m = COUNTER.matcher(body);
    while (m.find()) {
      counters.merge(m.group(1), Double.parseDouble(m.group(2)), Double::sum);
    }
    return counters;
  }

  private static double delta(Map<String, Double> before, Map<String, Double> after, String k) {
    if (!after.containsKey(k)) {
      throw new IllegalStateException(k + " not on berth's /metrics");
    }
    return after.get(k) - before.getOrDefault(k, 0.0);
  }
}
