package io.berth.tests.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.tests.apiserver.TestApiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Kubernetes events from berth in API mode, on real containerd, as a user reads them with the real
 * kubectl: a pod whose liveness probe fails and a crash-looping pod produce the kubelet's Pulled,
 * Created, Started, Unhealthy, Killing and BackOff events, each repeated occurrence counted on one
 * Event object (not one object per occurrence); pods waiting for a missing ConfigMap volume or
 * Secret show FailedMount and "Error: secret ... not found"; the node has "Starting kubelet." and
 * its condition events.
 */
class ApiEventsIT {
  private static final String NODE = "events-node";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration OUTAGE = Duration.ofSeconds(25);

  @Test
  void aFailingLivenessProbeAndACrashLoopShowTheKubeletsEventsWithCounts() throws Exception {
    try (TestApiServer api = TestApiServer.builder().tls(true).start()) {
      Path kubeconfig = api.writeKubeconfig(Files.createTempFile("berth-events-", ".kubeconfig"));
      BerthOnContainerd berth = BerthOnContainerd.start(NODE, s -> s.withKubeconfig(kubeconfig));
      try {
        run(kubeconfig, berth);
        outage(api, kubeconfig);
      } finally {
        berth.close();
        Files.deleteIfExists(kubeconfig);
      }
    }
  }

  private void run(Path kubeconfig, BerthOnContainerd berth) throws Exception {
    String image = berth.containerd.busyboxImage();
    Path yaml =
        Files.writeString(
            berth.dir.resolve("pods.yaml"),
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: probed}
            spec:
              nodeName: %1$s
              terminationGracePeriodSeconds: 1
              containers:
              - name: web
                image: %2$s
                imagePullPolicy: IfNotPresent
                command: [sh, -c, "exec sleep 3600"]
                livenessProbe:
                  exec: {command: [cat, /tmp/healthy]}
                  periodSeconds: 1
                  failureThreshold: 1
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: crasher}
            spec:
              nodeName: %1$s
              terminationGracePeriodSeconds: 1
              containers:
              - name: crash
                image: %2$s
                imagePullPolicy: IfNotPresent
                command: [sh, -c, "exit 1"]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: mountwaiter}
            spec:
              nodeName: %1$s
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: %2$s
                imagePullPolicy: IfNotPresent
                command: [sh, -c, "exec sleep 3600"]
                volumeMounts: [{name: cfg, mountPath: /etc/cfg}]
              volumes: [{name: cfg, configMap: {name: absent-cm}}]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: envwaiter}
            spec:
              nodeName: %1$s
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: %2$s
                imagePullPolicy: IfNotPresent
                command: [sh, -c, "exec sleep 3600"]
                env: [{name: PW, valueFrom: {secretKeyRef: {name: late-secret, key: pw}}}]
            """
                .formatted(NODE, image));
    ApiAgents.kubectl(kubeconfig, "create", "-f", yaml.toString());

    List<JsonNode> probed =
        awaitEvents(
            kubeconfig,
            "probed",
            Duration.ofSeconds(120),
            e ->
                count(e, "Unhealthy") > 1
                    && count(e, "Killing") > 1
                    && count(e, "Started") > 1
                    && count(e, "BackOff") >= 1);
    List<JsonNode> crasher =
        awaitEvents(
            kubeconfig,
            "crasher",
            Duration.ofSeconds(120),
            e -> count(e, "BackOff") > 1 && count(e, "Started") > 1);

    // objects that are missing: the pod's FailedMount, the container's Failed, each repeated on one
    // object while the pod waits (berth retries every second, records every 10 s)
    List<JsonNode> mount =
        awaitEvents(
            kubeconfig,
            "mountwaiter",
            Duration.ofSeconds(60),
            e -> counted(e, "FailedMount", m -> m.contains("absent-cm")) > 1);
    assertThat(mount)
        .filteredOn(e -> e.path("reason").asText().equals("FailedMount"))
        .allSatisfy(
            e -> {
              assertThat(e.path("type").asText()).isEqualTo("Warning");
              assertThat(e.path("involvedObject").path("fieldPath").asText()).isEmpty();
              assertThat(e.path("message").asText())
                  .startsWith("MountVolume.SetUp failed for volume \"cfg\"");
            });
    assertOneObjectPerOccurrenceKind(mount);
    List<JsonNode> env =
        awaitEvents(
            kubeconfig,
            "envwaiter",
            Duration.ofSeconds(60),
            e ->
                counted(e, "Failed", m -> m.equals("Error: secret \"late-secret\" not found")) > 1);
    assertThat(messages(env, "Failed")).contains("Error: secret \"late-secret\" not found");
    assertOneObjectPerOccurrenceKind(env);

    String uid =
        JSON.readTree(ApiAgents.kubectl(kubeconfig, "get", "pod", "probed", "-o", "json"))
            .path("metadata")
            .path("uid")
            .asText();
    for (JsonNode e : probed) {
      assertThat(e.path("involvedObject").path("uid").asText()).isEqualTo(uid);
      assertThat(e.path("involvedObject").path("kind").asText()).isEqualTo("Pod");
      assertThat(e.path("involvedObject").path("fieldPath").asText())
          .isEqualTo("spec.containers{web}");
      assertThat(e.path("source").path("component").asText()).isEqualTo("kubelet");
      assertThat(e.path("source").path("host").asText()).isEqualTo(NODE);
      assertThat(e.path("reportingInstance").asText()).isEqualTo(NODE);
      assertThat(e.path("lastTimestamp").asText())
          .isGreaterThanOrEqualTo(e.path("firstTimestamp").asText());
    }
    assertOneObjectPerOccurrenceKind(probed);
    assertOneObjectPerOccurrenceKind(crasher);
    assertThat(messages(probed, "Pulled"))
        .containsExactly("Container image \"" + image + "\" already present on machine");
    assertThat(messages(probed, "Created")).containsExactly("Created container: web");
    assertThat(messages(probed, "Started")).containsExactly("Started container web");
    assertThat(messages(probed, "Killing"))
        .containsExactly("Container web failed liveness probe, will be restarted");
    assertThat(messages(probed, "Unhealthy"))
        .singleElement()
        .satisfies(m -> assertThat(m).startsWith("Liveness probe failed: "));
    assertThat(messages(crasher, "BackOff"))
        .singleElement()
        .satisfies(
            m ->
                assertThat(m)
                    .startsWith(
                        "Back-off restarting failed container crash in pod crasher_default("));
    assertThat(type(probed, "Unhealthy")).isEqualTo("Warning");
    assertThat(type(crasher, "BackOff")).isEqualTo("Warning");
    assertThat(type(probed, "Started")).isEqualTo("Normal");

    // what a user reads: the Events table of kubectl describe, with the counts
    String describe = ApiAgents.kubectl(kubeconfig, "describe", "pod", "probed");
    String table = describe.substring(describe.indexOf("Events:"));
    assertThat(table)
        .containsPattern(
            "Warning\\s+Unhealthy\\s+.*\\(x\\d+ over .*\\)\\s+kubelet\\s+Liveness probe failed: ")
        .containsPattern(
            "Normal\\s+Killing\\s+.*\\(x\\d+ over .*\\)\\s+kubelet\\s+Container web failed liveness probe, will be restarted")
        .containsPattern(
            "Normal\\s+Started\\s+.*\\(x\\d+ over .*\\)\\s+kubelet\\s+Started container web");
    assertThat(table.lines().filter(l -> l.contains("Unhealthy")).count()).isEqualTo(1);
    System.out.println("kubectl describe pod probed:\n" + table);

    // kubectl get events: one row per Event object, the crash loop's BackOff once
    String rows =
        ApiAgents.kubectl(
            kubeconfig, "get", "events", "--field-selector", "involvedObject.name=crasher");
    System.out.println("kubectl get events --field-selector involvedObject.name=crasher:\n" + rows);
    assertThat(rows.lines().findFirst().orElse(""))
        .containsPattern("LAST SEEN\\s+TYPE\\s+REASON\\s+OBJECT\\s+MESSAGE");
    assertThat(rows.lines().filter(l -> l.contains("BackOff")).toList())
        .singleElement()
        .satisfies(
            l ->
                assertThat(l)
                    .containsPattern(
                        "Warning\\s+BackOff\\s+pod/crasher\\s+Back-off restarting failed container"
                            + " crash in pod crasher_default"));

    // the node's start, in the default namespace as the kubelet's node events are
    JsonNode node =
        JSON.readTree(
            ApiAgents.kubectl(
                kubeconfig,
                "get",
                "events",
                "-n",
                "default",
                "--field-selector",
                "involvedObject.kind=Node,involvedObject.name=" + NODE,
                "-o",
                "json"));
    List<String> nodeEvents = new ArrayList<>();
    node.path("items")
        .forEach(
            e -> nodeEvents.add(e.path("reason").asText() + ": " + e.path("message").asText()));
    assertThat(nodeEvents)
        .startsWith("Starting: Starting kubelet.")
        .contains(
            "NodeHasSufficientMemory: Node " + NODE + " status is now: NodeHasSufficientMemory",
            "NodeHasNoDiskPressure: Node " + NODE + " status is now: NodeHasNoDiskPressure",
            "NodeHasSufficientPID: Node " + NODE + " status is now: NodeHasSufficientPID",
            "NodeReady: Node " + NODE + " status is now: NodeReady");
    System.out.println("node events: " + nodeEvents);
    String describeNode = ApiAgents.kubectl(kubeconfig, "describe", "node", NODE);
    assertThat(describeNode.substring(describeNode.indexOf("Events:")))
        .containsPattern("Normal\\s+Starting\\s+.*kubelet\\s+Starting kubelet\\.")
        .containsPattern(
            "Normal\\s+NodeReady\\s+.*kubelet\\s+Node " + NODE + " status is now: NodeReady");

    // berth's own counters: everything written, nothing dropped or given up on
    String metrics = berth.pods.get("/metrics");
    assertThat(metrics).contains("berth_events_dropped_total 0.0", "berth_events_failed_total 0.0");
    java.util.regex.Matcher written =
        java.util.regex.Pattern.compile("(?m)^berth_events_written_total (\\S+)").matcher(metrics);
    assertThat(written.find()).as("berth_events_written_total in /metrics").isTrue();
    assertThat(Double.parseDouble(written.group(1))).isGreaterThan(10);
  }

  /**
   * Events recorded while the API server is down are written after it returns (client-go retries 12
   * times, 10 s apart): the crash loop's BackOff count goes on on the same Event object.
   */
  private void outage(TestApiServer api, Path kubeconfig) throws Exception {
    List<JsonNode> before = events(kubeconfig, "crasher");
    int backOffs = count(before, "BackOff");
    int started = count(before, "Started");
    api.stop();
    Thread.sleep(OUTAGE.toMillis());
    api.restart();
    List<JsonNode> after =
        awaitEvents(
            kubeconfig,
            "crasher",
            Duration.ofSeconds(60),
            e -> count(e, "BackOff") > backOffs && count(e, "Started") > started);
    assertOneObjectPerOccurrenceKind(after);
    System.out.println(
        "crasher across a "
            + OUTAGE.toSeconds()
            + " s API outage: BackOff x"
            + backOffs
            + " -> x"
            + count(after, "BackOff")
            + ", Started x"
            + started
            + " -> x"
            + count(after, "Started"));
  }

  /** Every (reason, message) on one Event object: repeats were counted, not written again. */
  private static void assertOneObjectPerOccurrenceKind(List<JsonNode> events) {
    Set<String> seen = new HashSet<>();
    for (JsonNode e : events) {
      String key = e.path("reason").asText() + ": " + e.path("message").asText();
      assertThat(seen.add(key)).as("a second Event object for " + key).isTrue();
    }
  }

  private static List<JsonNode> awaitEvents(
      Path kubeconfig, String pod, Duration timeout, Predicate<List<JsonNode>> done)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<JsonNode> last = List.of();
    while (System.nanoTime() < deadline) {
      List<JsonNode> items = events(kubeconfig, pod);
      last = items;
      if (done.test(items)) {
        return items;
      }
      Thread.sleep(1000);
    }
    throw new AssertionError("events of " + pod + " not within " + timeout + ": " + summary(last));
  }

  private static List<JsonNode> events(Path kubeconfig, String pod) throws Exception {
    JsonNode list =
        JSON.readTree(
            ApiAgents.kubectl(
                kubeconfig,
                "get",
                "events",
                "--field-selector",
                "involvedObject.name=" + pod + ",involvedObject.namespace=default",
                "-o",
                "json"));
    List<JsonNode> items = new ArrayList<>();
    list.path("items").forEach(items::add);
    return items;
  }

  private static int counted(List<JsonNode> events, String reason, Predicate<String> message) {
    return events.stream()
        .filter(e -> e.path("reason").asText().equals(reason))
        .filter(e -> message.test(e.path("message").asText()))
        .mapToInt(e -> e.path("count").asInt())
        .max()
        .orElse(0);
  }

  private static int count(List<JsonNode> events, String reason) {
    return events.stream()
        .filter(e -> e.path("reason").asText().equals(reason))
        .mapToInt(e -> e.path("count").asInt())
        .max()
        .orElse(0);
  }

  private static List<String> messages(List<JsonNode> events, String reason) {
    return events.stream()
        .filter(e -> e.path("reason").asText().equals(reason))
        .map(e -> e.path("message").asText())
        .toList();
  }

  private static String type(List<JsonNode> events, String reason) {
    return events.stream()
        .filter(e -> e.path("reason").asText().equals(reason))
        .map(e -> e.path("type").asText())
        .findFirst()
        .orElse("");
  }

  private static String summary(List<JsonNode> events) {
    return events.stream()
        .map(
            e ->
                e.path("reason").asText()
                    + " x"
                    + e.path("count").asInt()
                    + " "
                    + e.path("message").asText())
        .toList()
        .toString();
  }
}
