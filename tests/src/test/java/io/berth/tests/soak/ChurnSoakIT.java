package io.berth.tests.soak;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.cri.PodSandboxFilter;
import io.berth.tests.fixtures.Poll;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Pod churn and faults against berth as a real process (see {@link SoakNode}).
 *
 * <p>Load: rounds of {@value #PODS_PER_ROUND} pods at once, each an httpd with an HTTP readiness
 * probe, a TCP liveness probe and a memory-backed emptyDir, selected by a ClusterIP Service; a
 * round writes the manifests, waits until all are Ready and the Service answers through its VIP,
 * then deletes them and waits until berth and the runtime have let go of them. Two keeper pods
 * behind their own Service run through the whole test and must never restart.
 *
 * <p>Sizes: {@code -Dberth.soak=full} runs 200 rounds per scenario (1,000 pod lifecycles); the
 * default (CI) runs {@value #SHORT_ROUNDS}. Each scenario prints one summary line: load held,
 * faults injected, invariants checked, violations (the test fails unless 0).
 */
@Tag("soak")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChurnSoakIT {
  static final int PODS_PER_ROUND = 5;
  static final int SHORT_ROUNDS = 3;
  static final int FULL_ROUNDS = 200;
  private static final String CHURN_VIP = "10.96.88.10";
  private static final String KEEPER_VIP = "10.96.88.11";
  private static final Duration ROUND_TIMEOUT = Duration.ofSeconds(120);

  /** Keepers: same containers and restart counts, nothing else listed, all Ready. */
  private static final int KEEPER_CHECKS = 3;

  /** A census without berth's fds and heap, which a restarted berth does not share. */
  private static final int RUNTIME_AND_KERNEL_QUANTITIES = Census.quantities() - 2;

  private final int rounds =
      "full".equals(System.getProperty("berth.soak")) ? FULL_ROUNDS : SHORT_ROUNDS;
  private SoakNode node;
  private Map<String, String> keepersAtStart;
  private int round;

  @BeforeAll
  void start() throws Exception {
    node = SoakNode.start();
    node.writeFile(
        node.services,
        "services.yaml",
        """
        apiVersion: v1
        kind: Service
        metadata: {name: churn}
        spec:
          selector: {app: churn}
          clusterIP: %s
          ports: [{name: http, port: 80, targetPort: 8080}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: keeper}
        spec:
          selector: {app: keeper}
          clusterIP: %s
          ports: [{name: http, port: 80, targetPort: 8080}]
        """
            .formatted(CHURN_VIP, KEEPER_VIP));
    for (int i = 0; i < 2; i++) {
      node.writeFile(node.manifests, "keeper-" + i + ".yaml", manifest("keeper-" + i, "keeper"));
    }
    node.startBerth();
    Map<String, JsonNode> pods = awaitReady(List.of("keeper-0", "keeper-1"), "keepers");
    keepersAtStart = keepers(pods);
    awaitVip(KEEPER_VIP);
  }

  @AfterAll
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  @Test
  @Order(1)
  void churnLeavesNothingBehind() throws Exception {
    churnRound(); // warm-up: lazy initialisation in berth is not a leak
    Census before = settledCensus(null);
    for (int i = 0; i < rounds; i++) {
      churnRound();
    }
    Census after = settledCensus(before);
    List<String> violations = new ArrayList<>(after.growthSince(before, true));
    violations.addAll(keeperViolations());
    summary(
        "churn", rounds, List.of(), Census.quantities() + KEEPER_CHECKS, violations, before, after);
    assertThat(violations).as("violations; berth log:\n" + node.berthLogTail()).isEmpty();
  }

  @Test
  @Order(2)
  void faultsDuringChurnLeavePodsAsTheirSpecsSay() throws Exception {
    Census before = settledCensus(null);
    List<String> faults = new ArrayList<>();
    List<String> violations = new ArrayList<>();
    int firstRound = round;
    int faultRounds = rounds == FULL_ROUNDS ? 4 : 1; // each fault once in CI, four times in full
    for (int f = 0; f < faultRounds; f++) {
      // berth SIGKILLed while a round's pods start; a new berth adopts what runs
      churnRound(
          () -> {
            node.killBerth();
            node.startBerth();
            faults.add("berth SIGKILL+restart");
          });
      // containerd restarted while a round's pods start
      churnRound(
          () -> {
            node.containerd.restart();
            faults.add("containerd restart");
          });
      // the pod log disk full for a whole round (every pod writes a line at start)
      long filled = node.fillLogDisk();
      try {
        churnRound();
      } finally {
        node.freeLogDisk();
      }
      faults.add("log disk full (" + (filled >> 10) + " KiB filled)");
      for (int i = 0; i < rounds / faultRounds - 3; i++) { // none in CI
        churnRound();
      }
    }
    Census after = settledCensus(before);
    violations.addAll(after.growthSince(before, false));
    violations.addAll(keeperViolations());
    if (node.curl("http://" + KEEPER_VIP + "/index.html").status() != 200) {
      violations.add("the keepers' Service does not answer through its VIP after the faults");
    }
    summary(
        "faults",
        round - firstRound,
        faults,
        RUNTIME_AND_KERNEL_QUANTITIES + KEEPER_CHECKS + 1,
        violations,
        before,
        after);
    assertThat(violations).as("violations; berth log:\n" + node.berthLogTail()).isEmpty();
  }

  @FunctionalInterface
  interface Fault {
    void inject() throws Exception;
  }

  private void churnRound() throws Exception {
    churnRound(null);
  }

  /**
   * One round: {@value #PODS_PER_ROUND} pods written at once, {@code fault} injected right after,
   * all Ready and reachable through the Service, then deleted and gone from berth and the runtime.
   */
  private void churnRound(Fault fault) throws Exception {
    round++;
    List<String> names = new ArrayList<>();
    for (int i = 0; i < PODS_PER_ROUND; i++) {
      String name = "churn-" + round + "-" + i;
      names.add(name);
      node.writeFile(node.manifests, name + ".yaml", manifest(name, "churn"));
    }
    if (fault != null) {
      fault.inject();
    }
    awaitReady(names, "round " + round);
    awaitVip(CHURN_VIP);
    for (String name : names) {
      java.nio.file.Files.delete(node.manifests.resolve(name + ".yaml"));
    }
    Poll.until(
        "round " + round + "'s pods gone from berth and the runtime",
        ROUND_TIMEOUT,
        Duration.ofMillis(250),
        () -> {
          Optional<Map<String, JsonNode>> pods = node.pods();
          boolean listed =
              pods.isEmpty() || names.stream().anyMatch(n -> pods.get().containsKey(n));
          boolean inRuntime =
              node.cri.runtime().listPodSandbox(PodSandboxFilter.all()).stream()
                  .anyMatch(s -> s.metadata().name().startsWith("churn-" + round + "-"));
          return listed || inRuntime ? Optional.empty() : Optional.of(true);
        },
        node::berthLogTail);
  }

  private Map<String, JsonNode> awaitReady(List<String> names, String what) throws Exception {
    return Poll.until(
        what + ": " + names + " Running and Ready",
        ROUND_TIMEOUT,
        Duration.ofMillis(250),
        () -> {
          Optional<Map<String, JsonNode>> pods = node.pods();
          if (pods.isEmpty()) {
            return Optional.empty();
          }
          for (String n : names) {
            JsonNode p = pods.get().get(n);
            if (p == null || !ready(p)) {
              return Optional.empty();
            }
          }
          return pods;
        },
        node::berthLogTail);
  }

  private void awaitVip(String vip) throws Exception {
    Poll.until(
        "the Service " + vip + " answering",
        ROUND_TIMEOUT,
        Duration.ofMillis(250),
        () ->
            node.curl("http://" + vip + "/index.html").status() == 200
                ? Optional.of(true)
                : Optional.empty(),
        node::berthLogTail);
  }

  /**
   * A census once the runtime and kernel counts have settled: equal to {@code target}'s (or,
   * without one, unchanged between two censuses 2 s apart) — or the last one after 90 s, whose
   * growth is then reported.
   */
  private Census settledCensus(Census target) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    Census last = node.census();
    while (System.nanoTime() < deadline) {
      Thread.sleep(2_000);
      Census now = node.census();
      boolean settled =
          target == null
              ? now.growthSince(last, false).isEmpty() && last.growthSince(now, false).isEmpty()
              : now.growthSince(target, false).isEmpty();
      last = now;
      if (settled) {
        return now;
      }
    }
    return last;
  }

  private List<String> keeperViolations() throws Exception {
    List<String> out = new ArrayList<>();
    Optional<Map<String, JsonNode>> pods = node.pods();
    if (pods.isEmpty()) {
      return List.of("berth does not answer /pods");
    }
    Map<String, String> now = keepers(pods.get());
    if (!now.equals(keepersAtStart)) {
      out.add("keeper containers changed: " + keepersAtStart + " -> " + now);
    }
    for (String name : pods.get().keySet()) {
      if (!name.startsWith("keeper-")) {
        out.add("pod " + name + " still listed although its manifest is gone");
      }
    }
    pods.get().values().stream()
        .filter(p -> !ready(p))
        .forEach(p -> out.add("pod " + p.path("metadata").path("name").asText() + " not Ready"));
    return out;
  }

  /** Keeper name → container id and restart count. */
  private static Map<String, String> keepers(Map<String, JsonNode> pods) {
    Map<String, String> m = new TreeMap<>();
    pods.forEach(
        (name, p) -> {
          if (name.startsWith("keeper-")) {
            JsonNode c = p.path("status").path("containerStatuses").path(0);
            m.put(
                name,
                c.path("containerID").asText() + " restarts=" + c.path("restartCount").asInt());
          }
        });
    return m;
  }

  private static boolean ready(JsonNode pod) {
    if (!pod.path("status").path("phase").asText().equals("Running")) {
      return false;
    }
    for (JsonNode c : pod.path("status").path("conditions")) {
      if (c.path("type").asText().equals("Ready")) {
        return c.path("status").asText().equals("True");
      }
    }
    return false;
  }

  private void summary(
      String scenario,
      int roundsDone,
      List<String> faults,
      int invariants,
      List<String> violations,
      Census before,
      Census after) {
    System.out.printf(
        Locale.ROOT,
        "SOAK %s: load held: %d rounds x %d pods (probes, emptyDir, Service) + 2 keepers;"
            + " faults injected: %d %s; invariants checked: %d; violations: %d %s%n"
            + "  before: %s%n  after:  %s%n",
        scenario,
        roundsDone,
        PODS_PER_ROUND,
        faults.size(),
        faults,
        invariants,
        violations.size(),
        violations,
        before.asMap(),
        after.asMap());
  }

  private String manifest(String name, String app) {
    return """
        apiVersion: v1
        kind: Pod
        metadata:
          name: %s
          labels: {app: %s}
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - name: web
            image: %s
            command: ["sh", "-c", "echo started %s; echo ok > /data/index.html; exec httpd -f -p 8080 -h /data"]
            ports: [{name: http, containerPort: 8080}]
            readinessProbe: {httpGet: {path: /index.html, port: 8080}, periodSeconds: 1}
            livenessProbe: {tcpSocket: {port: 8080}, periodSeconds: 2, failureThreshold: 3}
            volumeMounts: [{name: data, mountPath: /data}]
          volumes:
          - {name: data, emptyDir: {medium: Memory, sizeLimit: 1Mi}}
        """
        .formatted(name, app, node.containerd.busyboxImage(), name);
  }
}
