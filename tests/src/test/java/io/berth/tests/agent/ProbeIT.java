package io.berth.tests.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.berth.tests.fixtures.ContainerdLauncher;
import io.berth.tests.fixtures.Promtool;
import io.berth.tests.fixtures.TestImages;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The Kubernetes node conformance probe cases (test/e2e/common/node/container_probe.go), plus
 * startup probes, against real containers: one private containerd, one berth, every case a static
 * pod, all started at once so the cases run side by side (probes every second, short thresholds).
 * The last case restarts berth and checks that the adopted containers are probed, not restarted.
 *
 * <p>gRPC: the busybox image has no gRPC server, so the test compiles a ~120-line static C program
 * (src/test/resources/probes/grpc-health-server.c) that speaks just enough HTTP/2 to answer {@code
 * grpc.health.v1.Health/Check} with a fixed SERVING or NOT_SERVING, and adds it to an image.
 * berth's prober is the real grpc-java client, so a wrong frame would fail the probe.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProbeIT {
  private static final String NODE = "berth-probe-it";
  private static final String GRPC_IMAGE = "registry.berth.test/grpc-health:1.0";

  /** How long a "never restarted" pod must keep running with probes every second. */
  private static final Duration WINDOW = Duration.ofSeconds(8);

  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private BerthOnContainerd berth;
  private Path dir;
  private Path manifests;
  private ContainerdLauncher containerd;

  @BeforeAll
  void start() throws Exception {
    berth =
        BerthOnContainerd.start(
            NODE,
            null,
            b -> {
              dir = b.dir;
              manifests = b.manifests;
              containerd = b.containerd;
              containerd.importImage(
                  TestImages.busybox(GRPC_IMAGE)
                      .copy(grpcHealthServer(), "/bin/grpc-health-server", 0755)
                      .build());
              writePods();
            },
            s -> s);
  }

  /** Compiles the gRPC health server (gcc and a static libc, see scripts/lib/prereqs.sh). */
  private Path grpcHealthServer() throws Exception {
    Path src = dir.resolve("grpc-health-server.c");
    try (InputStream in = getClass().getResourceAsStream("/probes/grpc-health-server.c")) {
      Files.copy(in, src);
    }
    Path bin = dir.resolve("grpc-health-server");
    Process gcc =
        new ProcessBuilder("gcc", "-static", "-O2", "-o", bin.toString(), src.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(gcc.getInputStream().readAllBytes());
    assertThat(gcc.waitFor(60, TimeUnit.SECONDS)).as("gcc finished").isTrue();
    assertThat(gcc.exitValue()).as("gcc -static: %s", out).isZero();
    return bin;
  }

  private void writePods() throws IOException {
    String busybox = containerd.busyboxImage();
    String httpd = "mkdir -p /w; echo ok > /w/healthz; ";
    Map<String, String> pods = new LinkedHashMap<>();
    pods.put(
        "http-live-ok",
        pod(
            busybox,
            httpd + "exec httpd -f -p 8080 -h /w",
            2,
            """
                livenessProbe:
                  httpGet: {path: /healthz, port: http}
                  periodSeconds: 1
                  failureThreshold: 1
                  timeoutSeconds: 5 # a busy CI machine must not fail it
            """));
    // pod grace 60 s, probe grace 2 s: the restart must use the probe's (httpd ignores SIGTERM)
    pods.put(
        "http-live-fail",
        pod(
            busybox,
            httpd + "(sleep 3; rm /w/healthz) & exec httpd -f -p 8080 -h /w",
            60,
            """
                livenessProbe:
                  httpGet: {path: /healthz, port: http}
                  periodSeconds: 1
                  failureThreshold: 1
                  terminationGracePeriodSeconds: 2
            """));
    pods.put(
        "tcp-live-ok",
        pod(
            busybox,
            httpd + "exec httpd -f -p 8080 -h /w",
            2,
            """
                livenessProbe:
                  tcpSocket: {port: 8080}
                  periodSeconds: 1
                  failureThreshold: 1
                  timeoutSeconds: 5 # a busy CI machine must not fail it
            """));
    pods.put(
        "tcp-live-fail",
        pod(
            busybox,
            httpd + "exec httpd -f -p 8080 -h /w",
            2,
            """
                livenessProbe:
                  tcpSocket: {port: 8081}
                  periodSeconds: 1
                  failureThreshold: 2
            """));
    pods.put(
        "grpc-live-ok",
        pod(
            GRPC_IMAGE,
            "exec /bin/grpc-health-server 9000 SERVING",
            2,
            """
                livenessProbe:
                  grpc: {port: 9000}
                  periodSeconds: 1
                  failureThreshold: 1
                  timeoutSeconds: 5 # a busy CI machine must not fail it
            """));
    pods.put(
        "grpc-live-fail",
        pod(
            GRPC_IMAGE,
            "exec /bin/grpc-health-server 9000 NOT_SERVING",
            2,
            """
                livenessProbe:
                  grpc: {port: 9000}
                  periodSeconds: 1
                  failureThreshold: 2
            """));
    pods.put(
        "exec-live-ok",
        pod(
            busybox,
            "touch /tmp/health; exec sleep 600",
            2,
            """
                livenessProbe:
                  exec: {command: [cat, /tmp/health]}
                  periodSeconds: 1
                  failureThreshold: 1
                  timeoutSeconds: 5 # a busy CI machine must not fail it
            """));
    pods.put(
        "exec-live-fail",
        pod(
            busybox,
            "touch /tmp/health; (sleep 3; rm /tmp/health) & exec sleep 600",
            2,
            """
                livenessProbe:
                  exec: {command: [cat, /tmp/health]}
                  periodSeconds: 1
                  failureThreshold: 1
            """));
    pods.put(
        "ready-delay",
        pod(
            busybox,
            httpd + "exec httpd -f -p 8080 -h /w",
            2,
            """
                readinessProbe:
                  httpGet: {path: /healthz, port: 8080}
                  initialDelaySeconds: 5
                  periodSeconds: 1
            """));
    pods.put(
        "ready-never",
        pod(
            busybox,
            "exec sleep 600",
            2,
            """
                readinessProbe:
                  exec: {command: [/bin/false]}
                  periodSeconds: 1
                  failureThreshold: 1
            """));
    // a failing liveness probe behind a startup probe on /tmp/started: never created, or after 3 s
    String startupThenFailingLiveness =
        """
            startupProbe:
              exec: {command: [cat, /tmp/started]}
              periodSeconds: 1
              failureThreshold: 60
            livenessProbe:
              exec: {command: [/bin/false]}
              periodSeconds: 1
              failureThreshold: 1
        """;
    pods.put("startup-gates", pod(busybox, "exec sleep 600", 2, startupThenFailingLiveness));
    pods.put(
        "startup-fail",
        pod(
            busybox,
            "exec sleep 600",
            2,
            """
                startupProbe:
                  exec: {command: [/bin/false]}
                  periodSeconds: 1
                  failureThreshold: 2
            """));
    pods.put(
        "startup-then-live",
        pod(
            busybox,
            "(sleep 3; touch /tmp/started) & exec sleep 600",
            2,
            startupThenFailingLiveness));
    // bad servers: one that accepts and never answers, one that answers an endless stream of zeros
    String httpLiveness =
        """
            livenessProbe:
              httpGet: {path: /healthz, port: 8080}
              periodSeconds: 1
              failureThreshold: 2
        """;
    pods.put("http-hang", pod(busybox, "exec nc -ll -p 8080 -e sleep 600", 2, httpLiveness));
    pods.put(
        "http-garbage",
        pod(busybox, "while true; do nc -l -p 8080 < /dev/zero; done", 2, httpLiveness));
    // a black-holed address: unassigned in this test's own bridge subnet, so no ARP answer
    pods.put(
        "ready-blackhole",
        pod(
            busybox,
            "exec sleep 600",
            2,
            """
                readinessProbe:
                  tcpSocket: {host: %s, port: 80}
                  periodSeconds: 1
            """
                .formatted(blackHole())));
    for (var e : pods.entrySet()) {
      Files.writeString(
          manifests.resolve(e.getKey() + ".yaml"), e.getValue().formatted(e.getKey()));
    }
  }

  /** An address of this test's pod subnet that host-local never hands out this early. */
  private String blackHole() {
    String gw = containerd.podSubnet().gateway();
    return gw.substring(0, gw.lastIndexOf('.')) + ".250";
  }

  /** A one-container pod named by {@code %s}; {@code probes} indented for the container. */
  private static String pod(String image, String script, int grace, String probes) {
    return """
        apiVersion: v1
        kind: Pod
        metadata:
          name: %%s
        spec:
          terminationGracePeriodSeconds: %d
          containers:
          - name: app
            image: %s
            imagePullPolicy: IfNotPresent
            command: ["sh", "-c", "%s"]
            ports:
            - {name: http, containerPort: 8080}
        %s"""
            .formatted(grace, image, script, probes.stripTrailing().replace("%", "%%"))
        + "\n";
  }

  @AfterAll
  void stop() {
    if (berth != null) {
      berth.close();
    }
  }

  @Test
  void httpLivenessPassingNeverRestarts() throws Exception {
    assertNotRestartedAndProbed("http-live-ok");
  }

  @Test
  void httpLivenessFailingRestartsWithTheProbesGracePeriod() throws Exception {
    JsonNode c = awaitRestarted("http-live-fail", 1);
    // failed ~3-4 s after start; killed with the probe's 2 s, not the pod's 60 s
    assertThat(lifetimeOfLast(c)).isBetween(Duration.ofSeconds(3), Duration.ofSeconds(20));
  }

  @Test
  void tcpLivenessPassingNeverRestarts() throws Exception {
    assertNotRestartedAndProbed("tcp-live-ok");
  }

  /** Also the conformance "monotonically increasing restart count": 1, then 2 after back-off. */
  @Test
  void tcpLivenessFailingRestartsAgainAndAgain() throws Exception {
    awaitRestarted("tcp-live-fail", 1);
    awaitRestarted("tcp-live-fail", 2);
  }

  @Test
  void grpcLivenessPassingNeverRestarts() throws Exception {
    assertNotRestartedAndProbed("grpc-live-ok");
  }

  @Test
  void grpcLivenessNotServingRestarts() throws Exception {
    awaitRestarted("grpc-live-fail", 1);
  }

  @Test
  void execLivenessPassingNeverRestarts() throws Exception {
    assertNotRestartedAndProbed("exec-live-ok");
  }

  @Test
  void execLivenessFailingRestarts() throws Exception {
    awaitRestarted("exec-live-fail", 1);
  }

  @Test
  void aServerThatNeverAnswersFailsLivenessByTimeout() throws Exception {
    awaitRestarted("http-hang", 1);
    assertThat(probeCount("http-hang", "Liveness", "failed")).isGreaterThanOrEqualTo(2);
  }

  @Test
  void aServerThatAnswersEndlessGarbageFailsLiveness() throws Exception {
    awaitRestarted("http-garbage", 1);
    assertThat(probeCount("http-garbage", "Liveness", "failed")).isGreaterThanOrEqualTo(2);
  }

  /** Each probe ends within its timeout: at most one per period, none piling up. */
  @Test
  void aBlackHoledAddressIsNeverReady() throws Exception {
    JsonNode c = container(runningFor("ready-blackhole", WINDOW));
    assertThat(c.path("ready").asBoolean()).isFalse();
    assertThat(c.path("restartCount").asInt()).isZero();
    // timeouts; under a lagging probe loop they are shed as unknown instead of failed
    double ended =
        probeCount("ready-blackhole", "Readiness", "failed")
            + probeCount("ready-blackhole", "Readiness", "unknown");
    long running =
        Duration.between(
                Instant.parse(c.path("state").path("running").path("startedAt").asText()),
                Instant.now())
            .toSeconds();
    // at most one probe a period (1 s) since the start: each ended before the next began
    assertThat(ended).isBetween(3.0, running + 2.0);
  }

  @Test
  void readinessWaitsForTheInitialDelay() throws Exception {
    JsonNode pod = await(Duration.ofSeconds(40), () -> pod("ready-delay").filter(ProbeIT::ready));
    JsonNode c = container(pod);
    Instant started = Instant.parse(c.path("state").path("running").path("startedAt").asText());
    Instant readyAt = Instant.parse(condition(pod, "Ready").path("lastTransitionTime").asText());
    // the conformance check: not ready before initialDelaySeconds (both times in whole seconds)
    assertThat(Duration.between(started, readyAt)).isGreaterThanOrEqualTo(Duration.ofSeconds(5));
    assertThat(condition(pod, "ContainersReady").path("status").asText()).isEqualTo("True");
    assertThat(c.path("ready").asBoolean()).isTrue();
    assertThat(c.path("restartCount").asInt()).isZero();
  }

  @Test
  void failingReadinessIsNeverReadyAndNeverRestarts() throws Exception {
    JsonNode pod = runningFor("ready-never", WINDOW);
    JsonNode c = container(pod);
    assertThat(c.path("ready").asBoolean()).isFalse();
    assertThat(c.path("started").asBoolean()).isTrue();
    assertThat(c.path("restartCount").asInt()).isZero();
    assertThat(condition(pod, "Ready").path("status").asText()).isEqualTo("False");
    assertThat(condition(pod, "Ready").path("message").asText())
        .isEqualTo("containers with unready status: [app]");
    assertThat(condition(pod, "ContainersReady").path("status").asText()).isEqualTo("False");
    assertThat(probeCount("ready-never", "Readiness", "failed")).isGreaterThanOrEqualTo(3);
    // what `berth probes` shows: the last raw result of the worker
    JsonNode probe = null;
    for (JsonNode i : json.readTree(get("/probes")).path("items")) {
      if (i.path("pod").asText().equals("ready-never-" + NODE)) {
        probe = i;
      }
    }
    assertThat(probe).as("/probes entry").isNotNull();
    assertThat(probe.path("probeType").asText()).isEqualTo("Readiness");
    assertThat(probe.path("result").asText()).isEqualTo("failed");
    assertThat(probe.path("containerID").asText())
        .isEqualTo(c.path("containerID").asText().substring("containerd://".length()));
    assertThat(probe.path("probes").asLong()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void livenessWaitsForTheStartupProbe() throws Exception {
    JsonNode c = container(runningFor("startup-gates", WINDOW));
    assertThat(c.path("restartCount").asInt()).isZero();
    assertThat(c.path("started").asBoolean()).isFalse();
    assertThat(c.path("ready").asBoolean()).isFalse();
    assertThat(probeCount("startup-gates", "Startup", "failed")).isGreaterThanOrEqualTo(3);
    assertThat(probeCount("startup-gates", "Liveness", "failed")).isZero();
  }

  @Test
  void failingStartupProbeRestarts() throws Exception {
    awaitRestarted("startup-fail", 1);
  }

  @Test
  void livenessCountsOnceStartupSucceeded() throws Exception {
    JsonNode c = awaitRestarted("startup-then-live", 1);
    // liveness (failing from the start) was not counted before /tmp/started appeared at 3 s
    assertThat(lifetimeOfLast(c)).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void probeMetricsPassPromtool() throws Exception {
    await(
        Duration.ofSeconds(30),
        () ->
            probeCount("http-live-ok", "Liveness", "successful") >= 2
                    && probeCount("http-live-fail", "Liveness", "failed") >= 1
                ? Optional.of(true)
                : Optional.empty());
    String body = get("/metrics/probes");
    assertThat(Promtool.checkMetrics(body)).as("promtool findings").isEmpty();
    assertThat(body)
        .contains("# TYPE prober_probe_total counter")
        .contains("# TYPE prober_probe_duration_seconds histogram")
        .containsPattern(
            "prober_probe_duration_seconds_bucket\\{[^}]*pod=\"grpc-live-ok-"
                + NODE
                + "\",probe_type=\"Liveness\"[^}]*\\} [1-9]");
  }

  /**
   * Last (it restarts berth): a restarted berth adopts the running containers and probes them again
   * (new workers, first probes jittered within the period) without restarting any: the passing
   * liveness pods keep their container and restart count 0, and the delayed-readiness pod is Ready
   * again on the same container.
   */
  @Test
  @Order(Integer.MAX_VALUE)
  void aRestartedBerthProbesAdoptedContainersWithoutRestartingThem() throws Exception {
    List<String> steady = List.of("http-live-ok", "tcp-live-ok", "grpc-live-ok", "exec-live-ok");
    Map<String, String> ids = new LinkedHashMap<>();
    for (String name : steady) {
      ids.put(name, container(runningFor(name, WINDOW)).path("containerID").asText());
    }
    String readyId =
        container(await(Duration.ofSeconds(40), () -> pod("ready-delay").filter(ProbeIT::ready)))
            .path("containerID")
            .asText();
    berth.restartAgent();
    JsonNode ready = await(Duration.ofSeconds(20), () -> pod("ready-delay").filter(ProbeIT::ready));
    assertThat(container(ready).path("containerID").asText()).isEqualTo(readyId);
    assertThat(container(ready).path("restartCount").asInt()).isZero();
    await(
        Duration.ofSeconds(20),
        () -> {
          for (String name : steady) {
            if (probeCount(name, "Liveness", "successful") < 3) {
              return Optional.empty();
            }
          }
          return Optional.of(true);
        });
    for (String name : steady) {
      JsonNode c = container(pod(name).orElseThrow());
      assertThat(c.path("containerID").asText()).as(name).isEqualTo(ids.get(name));
      assertThat(c.path("restartCount").asInt()).as(name).isZero();
      assertThat(probeCount(name, "Liveness", "failed")).as(name).isZero();
    }
  }

  /** Running for at least {@code window} (probes every second), never restarted, and probed. */
  private void assertNotRestartedAndProbed(String name) throws Exception {
    JsonNode c = container(runningFor(name, WINDOW));
    assertThat(c.path("restartCount").asInt()).as("%s restartCount", name).isZero();
    assertThat(c.path("ready").asBoolean()).isTrue();
    assertThat(probeCount(name, "Liveness", "successful")).isGreaterThanOrEqualTo(3);
    assertThat(probeCount(name, "Liveness", "failed")).isZero();
  }

  private JsonNode awaitRestarted(String name, int count) throws Exception {
    JsonNode pod =
        await(
            Duration.ofSeconds(60),
            () ->
                pod(name)
                    .filter(
                        p ->
                            container(p).path("restartCount").asInt() >= count
                                && container(p).path("state").has("running")));
    JsonNode c = container(pod);
    assertThat(c.path("lastState").path("terminated").isMissingNode())
        .as("%s lastState.terminated: %s", name, c)
        .isFalse();
    return c;
  }

  /** How long the container's previous instance ran (whole seconds, as the API shows it). */
  private static Duration lifetimeOfLast(JsonNode container) {
    JsonNode last = container.path("lastState").path("terminated");
    return Duration.between(
        Instant.parse(last.path("startedAt").asText()),
        Instant.parse(last.path("finishedAt").asText()));
  }

  /** Waits until the pod's container has been running for {@code window}; returns the pod. */
  private JsonNode runningFor(String name, Duration window) throws Exception {
    JsonNode first =
        await(
            Duration.ofSeconds(40),
            () -> pod(name).filter(p -> container(p).path("state").has("running")));
    Instant started =
        Instant.parse(container(first).path("state").path("running").path("startedAt").asText());
    Duration left = Duration.between(Instant.now(), started.plus(window).plusSeconds(1));
    if (!left.isNegative()) {
      Thread.sleep(left.toMillis()); // a window of real probes, nothing to advance
    }
    return pod(name).orElseThrow();
  }

  /** {@code prober_probe_total} of the pod's container {@code app}; 0 when absent. */
  private double probeCount(String name, String type, String result) throws Exception {
    Matcher m =
        Pattern.compile(
                "prober_probe_total\\{container=\"app\",namespace=\"default\",pod=\""
                    + Pattern.quote(name + "-" + NODE)
                    + "\",pod_uid=\"[^\"]+\",probe_type=\""
                    + type
                    + "\",result=\""
                    + result
                    + "\"\\} ([0-9.eE+]+)")
            .matcher(get("/metrics/probes"));
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  private Optional<JsonNode> pod(String name) throws Exception {
    for (JsonNode p : json.readTree(get("/pods")).path("items")) {
      if (p.path("metadata").path("name").asText().equals(name + "-" + NODE)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  private static boolean ready(JsonNode pod) {
    return condition(pod, "Ready").path("status").asText().equals("True");
  }

  private static JsonNode condition(JsonNode pod, String type) {
    for (JsonNode c : pod.path("status").path("conditions")) {
      if (c.path("type").asText().equals(type)) {
        return c;
      }
    }
    return MissingNode.getInstance();
  }

  private static JsonNode container(JsonNode pod) {
    return pod.path("status").path("containerStatuses").path(0);
  }

  private String get(String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + berth.agent().httpAddress().getPort() + path))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path).isEqualTo(200);
    return r.body();
  }

  /** Polls every 200 ms until {@code probe} has a value; fails with /pods after timeout. */
  private <T> T await(Duration timeout, Callable<Optional<T>> probe) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Optional<T> v = probe.call();
      if (v.isPresent()) {
        return v.get();
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not reached within " + timeout + "; /pods: " + get("/pods"));
      }
      Thread.sleep(200);
    }
  }
}
