package io.berth.tests.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.agent.NodeAgent;
import io.berth.cri.ContainerConfig;
import io.berth.cri.ContainerMetadata;
import io.berth.cri.CriRuntime;
import io.berth.cri.LinuxContainerResources;
import io.berth.cri.PodSandboxConfig;
import io.berth.cri.RuntimeService;
import io.berth.tests.fixtures.ContainerdLauncher;
import io.berth.tests.fixtures.CriPods;
import io.berth.tests.fixtures.NotifySocketListener;
import io.berth.tests.fixtures.PrometheusServer;
import io.berth.tests.fixtures.Promtool;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * berth's daemon in-process against a real containerd pod: it tells systemd it is ready once the
 * runtime answers, pings the watchdog, and serves metrics that promtool accepts and that a real
 * Prometheus server scrapes and answers PromQL about (a 64 MiB limit, a CPU counter that rises).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodeAgentIT {
  private static final long LIMIT = 64L * 1024 * 1024;
  private Path dir;
  private ContainerdLauncher containerd;
  private CriRuntime cri;
  private String sandboxId;
  private String podName;
  private NotifySocketListener systemd;
  private NodeAgent agent;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void startPodAndAgent() throws Exception {
    dir = Files.createTempDirectory("berth-agent-it-");
    containerd = ContainerdLauncher.launch();
    cri = CriRuntime.connect(containerd.endpoint());
    RuntimeService rt = cri.runtime();
    CriPods pods = new CriPods(containerd);
    PodSandboxConfig sandbox = pods.sandbox("metered");
    podName = sandbox.metadata().name();
    sandboxId = rt.runPodSandbox(sandbox);
    ContainerConfig burn =
        ContainerConfig.builder(new ContainerMetadata("burn", 0), containerd.busyboxImage())
            .command("sh", "-c", "while :; do :; done")
            .logPath("burn/0.log")
            .resources(LinuxContainerResources.of(100_000, 0, 1024, LIMIT))
            .build();
    String id = rt.createContainer(sandboxId, burn, sandbox);
    rt.startContainer(id);

    systemd = new NotifySocketListener(dir.resolve("notify"));
    agent =
        new NodeAgent(
            new NodeAgent.Settings(
                containerd.endpoint(),
                new InetSocketAddress("127.0.0.1", 0),
                "berth-it-node",
                dir,
                Duration.ofSeconds(1)),
            Clock.systemUTC(),
            Map.of("NOTIFY_SOCKET", systemd.path().toString(), "WATCHDOG_USEC", "2000000"));
    agent.start();
  }

  @AfterAll
  void stopAll() {
    if (agent != null) {
      agent.close();
    }
    if (systemd != null) {
      systemd.close();
    }
    if (cri != null) {
      cri.runtime().stopPodSandbox(sandboxId);
      cri.runtime().removePodSandbox(sandboxId);
      cri.close();
    }
    if (containerd != null) {
      containerd.close();
    }
    if (dir != null) {
      try (var walk = Files.walk(dir)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + agent.httpAddress().getPort() + path))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void tellsSystemdItIsReadyOnceTheRuntimeAnswersAndPingsTheWatchdog() throws Exception {
    // Watchdog pings and STATUS lines may come first, in any order; READY=1 must follow.
    String message = systemd.next(Duration.ofSeconds(10));
    for (int i = 0; i < 50 && !message.startsWith("READY=1"); i++) {
      assertThat(message).matches("WATCHDOG=1|STATUS=.*");
      message = systemd.next(Duration.ofSeconds(10));
    }
    assertThat(message).startsWith("READY=1\nSTATUS=runtime containerd 1.6");

    String ping = systemd.next(Duration.ofSeconds(5));
    for (int i = 0; i < 10 && !"WATCHDOG=1".equals(ping); i++) {
      ping = systemd.next(Duration.ofSeconds(5));
    }
    assertThat(ping).isEqualTo("WATCHDOG=1"); // still pinging after READY: the loop beats
  }

  @Test
  void healthzIsOkWhileTheSyncLoopBeats() throws Exception {
    var r = get("/healthz");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("ok");
  }

  @Test
  void everyMetricsEndpointPassesPromtool() throws Exception {
    for (String path : new String[] {"/metrics", "/metrics/cadvisor", "/metrics/resource"}) {
      var r = get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(200);
      // promtool's only finding on cAdvisor's names is its lint on container_memory_failcnt
      // (a counter without _total): cAdvisor's own name, kept for dashboard compatibility.
      assertThat(
              Promtool.checkMetrics(r.body())
                  .lines()
                  .filter(l -> !l.contains("container_memory_failcnt")))
          .as("promtool findings for %s", path)
          .isEmpty();
    }
    assertThat(get("/metrics").body())
        .contains("berth_runtime_connected 1.0", "jvm_memory_used_bytes")
        // the inventory behind /metrics/cadvisor lists sandboxes through the CRI: timed per call
        .contains(
            "berth_runtime_operations_duration_seconds_count{operation_type=\"ListPodSandbox\"}")
        // the registry's filters hold for every meter: renamed and denied ones
        .contains("system_cpu_cores ")
        .doesNotContain("system_cpu_count", "process_cpu_time");
  }

  @Test
  void metricsEndpointsAnswerPrometheusGzippedAndOthersPlain() throws Exception {
    for (String path :
        new String[] {"/metrics", "/metrics/cadvisor", "/metrics/resource", "/metrics/probes"}) {
      HttpResponse<byte[]> zipped =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + agent.httpAddress().getPort() + path))
                  .header("Accept-Encoding", "gzip") // as Prometheus asks
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(zipped.statusCode()).as(path).isEqualTo(200);
      assertThat(zipped.headers().firstValue("Content-Encoding")).as(path).contains("gzip");
      assertThat(zipped.headers().firstValue("Vary")).as(path).contains("Accept-Encoding");
      String text;
      try (var in =
          new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(zipped.body()))) {
        text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      }
      assertThat(
              Promtool.checkMetrics(text)
                  .lines()
                  .filter(l -> !l.contains("container_memory_failcnt")))
          .as("promtool findings for gzipped %s", path)
          .isEmpty();

      var plain = get(path);
      assertThat(plain.headers().firstValue("Content-Encoding")).as(path).isEmpty();
      assertThat(plain.headers().firstValue("Vary")).as(path).contains("Accept-Encoding");
      List<String> zippedFamilies = text.lines().filter(l -> l.startsWith("# TYPE ")).toList();
      if (!path.equals("/metrics/probes")) { // no pod here has probes: that one may be empty
        assertThat(zippedFamilies).as(path).isNotEmpty();
      }
      assertThat(plain.body().lines().filter(l -> l.startsWith("# TYPE ")).toList())
          .as("the same metric families in the plain answer of %s", path)
          .containsAll(zippedFamilies);
    }
  }

  @Test
  void cadvisorShowsTheContainersLimitAndSummaryListsThePod() throws Exception {
    String cadvisor = get("/metrics/cadvisor").body();
    assertThat(cadvisor.lines())
        .anyMatch(
            l ->
                l.startsWith("container_spec_memory_limit_bytes{")
                    && l.contains("container=\"burn\"")
                    && l.contains("pod=\"" + podName + "\"")
                    && l.contains(" 6.7108864e+07"));

    JsonNode summary = new ObjectMapper().readTree(get("/stats/summary").body());
    assertThat(summary.at("/node/nodeName").asText()).isEqualTo("berth-it-node");
    JsonNode pod = null;
    for (JsonNode candidate : summary.path("pods")) {
      if (candidate.at("/podRef/name").asText().equals(podName)) {
        pod = candidate;
      }
    }
    assertThat(pod).as("pod %s in /stats/summary", podName).isNotNull();
    JsonNode container = pod.path("containers").get(0);
    assertThat(container.path("name").asText()).isEqualTo("burn");
    long available = container.at("/memory/availableBytes").asLong();
    long workingSet = container.at("/memory/workingSetBytes").asLong();
    assertThat(available + workingSet)
        .as("available + working set = the cgroup limit")
        .isEqualTo(LIMIT);
  }

  @Test
  void aRealPrometheusScrapesBerthAndAnswersPromQl() throws Exception {
    try (PrometheusServer prometheus =
        PrometheusServer.scraping(agent.httpAddress().getPort(), "/metrics/cadvisor")) {
      double limit =
          prometheus.awaitScalar(
              "container_spec_memory_limit_bytes{container=\"burn\"}", Duration.ofSeconds(30));
      assertThat(limit).isEqualTo((double) LIMIT);

      String cpu = "container_cpu_usage_seconds_total{container=\"burn\",cpu=\"total\"}";
      double before = prometheus.awaitScalar(cpu, Duration.ofSeconds(30));
      long start = System.nanoTime();
      Thread.sleep(4_000);
      double after = prometheus.awaitScalar(cpu, Duration.ofSeconds(30));
      double wall = (System.nanoTime() - start) / 1e9;
      // The busy loop burns CPU, but one thread can never burn more than one core-second per
      // second (plus up to two 1 s scrape intervals of skew). How close to 1.0 it gets depends on
      // the machine's load; LiveCgroupIT in cadvisor-metrics checks the rate in isolation.
      assertThat(after - before)
          .as("CPU seconds over %.1f s", wall)
          .isGreaterThan(0.5)
          .isLessThan(wall + 2.0);
    }
  }
}
