package io.berth.tests.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.cri.CriRuntime;
import io.berth.cri.PodSandbox;
import io.berth.cri.PodSandboxFilter;
import io.berth.tests.apiserver.ApiResources;
import io.berth.tests.apiserver.TestApiServer;
import io.berth.tests.fixtures.Commands;
import io.berth.tests.fixtures.ContainerdLauncher;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * berth's API traffic and memory with 110 pods from the API server (the kubelet's maxPods), berth
 * running as its own JVM with the launcher's flags ({@code bin/berth run}): requests and bytes per
 * pod over each pod's life (create → Running and Ready, 30 s steady, delete → gone), and berth's
 * resident memory while the 110 pods run. Prints the figures (agent/docs/kubeapi.md has them).
 */
class ApiFootprintIT {
  private static final String NODE = "footprint-node";
  private static final int PODS = 110;
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void requestsBytesAndMemoryWith110ApiPods() throws Exception {
    Path dir = Files.createTempDirectory("berth-footprint-api-");
    Process berth = null;
    try (TestApiServer api = TestApiServer.builder().tls(true).start();
        ContainerdLauncher containerd = ContainerdLauncher.launch()) {
      Path kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"));
      int port = freePort();
      berth = startBerth(dir, containerd, kubeconfig, port);
      try {
        String metrics = "http://127.0.0.1:" + port + "/metrics";
        await(Duration.ofSeconds(60), () -> ready(api), "node Ready");
        Map<String, Double> c0 = counters(metrics);

        StringBuilder pods = new StringBuilder();
        for (int i = 0; i < PODS; i++) {
          pods.append(
              """
              apiVersion: v1
              kind: Pod
              metadata: {name: p%03d}
              spec:
                nodeName: %s
                terminationGracePeriodSeconds: 1
                containers:
                - {name: main, image: %s, command: [sleep, "3600"]}
              ---
              """
                  .formatted(i, NODE, containerd.busyboxImage()));
        }
        long created = System.nanoTime();
        ApiAgents.kubectl(
            kubeconfig,
            "create",
            "-f",
            Files.writeString(dir.resolve("pods.yaml"), pods.toString()).toString());
        await(Duration.ofSeconds(600), () -> runningAndReady(api) == PODS, "all Running+Ready");
        double toRunning = (System.nanoTime() - created) / 1e9;
        Map<String, Double> c1 = counters(metrics);

        List<Double> rss = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          Thread.sleep(5000);
          rss.add(rssMb(berth.pid()));
          http.send(
              HttpRequest.newBuilder(URI.create(metrics)).build(),
              HttpResponse.BodyHandlers.discarding());
        }
        Map<String, Double> c2 = counters(metrics);
        assertThat(runningAndReady(api)).as("steady: nothing restarted or lost").isEqualTo(PODS);

        ApiAgents.kubectl(kubeconfig, "delete", "pods", "--all", "--timeout=600s");
        await(Duration.ofSeconds(600), () -> ApiAgents.podNames(api).isEmpty(), "all deleted");
        Map<String, Double> c3 = counters(metrics);

        System.out.printf(
            Locale.ROOT,
            "110 API pods: all Running+Ready %.1f s after kubectl create; berth RSS while they"
                + " run (every 5 s): %s MB%n",
            toRunning,
            rss.stream().map(r -> String.format(Locale.ROOT, "%.1f", r)).toList());
        report("create → Running+Ready", c0, c1);
        report("30 s steady", c1, c2);
        report("delete → gone", c2, c3);
        report("whole life", c0, c3);
        double patches =
            c3.get("berth_pod_status_patches_total") - c0.get("berth_pod_status_patches_total");
        assertThat(patches / PODS)
            .as("status patches per pod over its life: a few transitions, not one per sync")
            .isLessThanOrEqualTo(5.0);
      } finally {
        berth.destroy();
        if (!berth.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
          berth.destroyForcibly();
        }
        removeSandboxes(containerd);
      }
    } finally {
      BerthPods.deleteTree(dir);
    }
  }

  private static void report(String phase, Map<String, Double> from, Map<String, Double> to) {
    double requests =
        to.get("berth_apiserver_requests_total") - from.get("berth_apiserver_requests_total");
    double sent =
        to.get("berth_apiserver_request_bytes_total")
            - from.get("berth_apiserver_request_bytes_total");
    double received =
        to.get("berth_apiserver_response_bytes_total")
            - from.get("berth_apiserver_response_bytes_total");
    double patches =
        to.get("berth_pod_status_patches_total") - from.get("berth_pod_status_patches_total");
    System.out.printf(
        Locale.ROOT,
        "  %-22s per pod: %.2f requests (%.2f status patches), %.0f bytes sent, %.0f bytes"
            + " received%n",
        phase,
        requests / PODS,
        patches / PODS,
        sent / PODS,
        received / PODS);
  }

  private Process startBerth(Path dir, ContainerdLauncher containerd, Path kubeconfig, int port)
      throws IOException, InterruptedException {
    // the launcher's JVM flags for `berth run`, without its CDS archive
    Path launcher = Path.of("..", "agent", "src", "dist", "bin", "berth").toAbsolutePath();
    List<String> opts =
        Commands.run(
                List.of(
                    "env",
                    "BERTH_PRINT_FLAGS=1",
                    "BERTH_CDS=0",
                    "BERTH_JAVA_HOME=" + System.getProperty("java.home"),
                    "bash",
                    launcher.toString(),
                    "run"),
                Duration.ofSeconds(30))
            .stdout()
            .lines()
            .filter(l -> !l.isBlank())
            .toList();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(opts);
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            "io.berth.agent.BerthMain",
            "run",
            "--container-runtime-endpoint",
            containerd.endpoint(),
            "--address",
            "127.0.0.1",
            "--port",
            Integer.toString(port),
            "--node-name",
            NODE,
            "--root-dir",
            Files.createDirectories(dir.resolve("root")).toString(),
            "--cgroup-root",
            containerd.cgroupParent(),
            "--pod-logs-dir",
            containerd.podLogRoot().toString(),
            "--kubeconfig",
            kubeconfig.toString(),
            // berth runs in the host's network namespace here: its Service proxy stays off, or
            // it would program nftables tables there (the API server has the kubernetes Service)
            "--proxy-mode",
            "none"));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("MALLOC_ARENA_MAX", "2");
    pb.redirectErrorStream(true);
    pb.redirectOutput(dir.resolve("berth.log").toFile());
    return pb.start();
  }

  private static boolean ready(TestApiServer api) {
    return ApiAgents.node(api, NODE).stream()
        .flatMap(n -> StreamSupport.stream(n.at("/status/conditions").spliterator(), false))
        .anyMatch(
            c ->
                c.path("type").asText().equals("Ready")
                    && c.path("status").asText().equals("True"));
  }

  private static long runningAndReady(TestApiServer api) {
    return api.store().list(ApiResources.PODS, "default", p -> true, 0, null, null).items().stream()
        .filter(p -> p.at("/status/phase").asText().equals("Running"))
        .filter(p -> p.at("/status/containerStatuses/0/ready").asBoolean())
        .count();
  }

  private static final Pattern SAMPLE = Pattern.compile("^(berth_\\w+_total)\\s+(\\S+)$");

  private Map<String, Double> counters(String url) throws IOException, InterruptedException {
    String body =
        http.send(
                HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    Map<String, Double> out = new TreeMap<>();
    for (String line : body.lines().toList()) {
      Matcher m = SAMPLE.matcher(line);
      if (m.matches()) {
        out.put(m.group(1), Double.parseDouble(m.group(2)));
      }
    }
    assertThat(out)
        .containsKeys(
            "berth_apiserver_requests_total",
            "berth_apiserver_request_bytes_total",
            "berth_apiserver_response_bytes_total",
            "berth_pod_status_patches_total");
    return out;
  }

  private static double rssMb(long pid) throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (l.startsWith("VmRSS:")) {
        return Long.parseLong(l.replaceAll("\\D", "")) / 1024.0;
      }
    }
    throw new IllegalStateException("no VmRSS for " + pid);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void removeSandboxes(ContainerdLauncher containerd) {
    if (!containerd.isRunning()) {
      return;
    }
    try (CriRuntime cri = CriRuntime.connect(containerd.endpoint())) {
      for (PodSandbox s : cri.runtime().listPodSandbox(PodSandboxFilter.all())) {
        cri.runtime().stopPodSandbox(s.id());
        cri.runtime().removePodSandbox(s.id());
      }
    }
  }

  private static void await(Duration timeout, BooleanSupplier condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout + ": " + what);
      }
      Thread.sleep(250);
    }
  }
}
