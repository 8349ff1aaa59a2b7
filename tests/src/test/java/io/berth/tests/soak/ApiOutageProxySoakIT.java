package io.berth.tests.soak;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.tests.apiserver.ApiError;
import io.berth.tests.apiserver.ApiResources;
import io.berth.tests.apiserver.TestApiServer;
import io.berth.tests.fixtures.BerthCommand;
import io.berth.tests.fixtures.ContainerdLauncher;
import io.berth.tests.fixtures.NodeNetns;
import io.berth.tests.fixtures.Poll;
import io.berth.tests.proxy.Teardown;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The API server cut off and restored while berth proxies a Service for a client: {@code berth run
 * --kubeconfig --proxy-mode nftables} as a real process in a node network namespace with its own
 * containerd, the test API server listening inside that namespace, and a client in a network
 * namespace of its own ({@link ClientNetns}) fetching a page through the Service's ClusterIP all
 * along (one new connection every 200 ms).
 *
 * <p>Three pods a, b, c serve their name; the Service's EndpointSlice names some of them. While the
 * server is down, the slice is changed in the server's store and a second Service with a slice is
 * created there (a user and the endpointslice controller acting while berth cannot see them).
 * Checked: during the outage berth's table stays and every request is answered by an endpoint of
 * the slice berth last saw; after the restore the changed slice and the new Service are applied; no
 * request of the whole run fails; no pod restarts; berth keeps running. One summary line, as the
 * other soak tests. {@code -Dberth.soak=full} cuts the server off three times; {@code
 * -Dberth.soak.outageSeconds} sets each cut's length (default 10 s).
 */
@Tag("soak")
class ApiOutageProxySoakIT {
  private static final String NODE = "berth-soak-proxy";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration APPLIED = Duration.ofSeconds(60);

  /** The endpoint sets each cut switches to, in turn. */
  private static final List<List<String>> CHANGES =
      List.of(List.of("a", "c"), List.of("b", "c"), List.of("a", "b"));

  private final boolean full = "full".equals(System.getProperty("berth.soak"));
  private final Duration outage =
      Duration.ofSeconds(Integer.getInteger("berth.soak.outageSeconds", 10));
  private Path dir;
  private NodeNetns node;
  private ClientNetns client;
  private ContainerdLauncher containerd;
  private TestApiServer api;
  private Process berth;

  @Test
  void serviceTrafficFlowsThroughAnApiOutageAndChangesMadeMeanwhileApplyAfter() throws Exception {
    try {
      dir = Files.createTempDirectory("berth-soak-proxy-");
      node = NodeNetns.create("aop");
      client = ClientNetns.create("aopc", node);
      containerd = ContainerdLauncher.launch(node);
      api = node.callInside(() -> TestApiServer.builder().tls(true).start());
      berth = startBerth(api.writeKubeconfig(dir.resolve("kubeconfig")));
      run();
    } finally {
      cleanUp();
    }
  }

  private void run() throws Exception {
    Map<String, String> ips = new TreeMap<>();
    for (String name : List.of("a", "b", "c")) {
      createPod(name);
    }
    for (String name : List.of("a", "b", "c")) {
      ips.put(name, podIp(name));
    }
    Map<String, String> containersAtStart = containers();
    String vip = createService("web");
    List<String> endpoints = List.of("a", "b");
    applySlice("web", endpoints, ips);
    awaitAnswers("web", vip, Set.copyOf(endpoints));

    List<String> faults = new ArrayList<>();
    List<String> violations = new ArrayList<>();
    int invariants = 0;
    try (ClientLoad load = ClientLoad.start(client, vip, 80, Duration.ofMillis(200))) {
      int cuts = full ? 3 : 1;
      for (int cut = 0; cut < cuts; cut++) {
        load.phase("before cut " + (cut + 1));
        Thread.sleep(2_000);
        api.stop();
        load.phase("outage " + (cut + 1));
        List<String> changed = CHANGES.get(cut % CHANGES.size());
        applySlice("web", changed, ips);
        String extra = "extra-" + (cut + 1);
        String extraVip = createService(extra);
        applySlice(extra, List.of("c"), ips);
        Thread.sleep(outage.toMillis());
        // what a client saw while berth could not reach the server: the endpoints it last knew
        Set<String> seen = load.answersIn("outage " + (cut + 1));
        invariants++;
        if (seen.isEmpty() || !Set.copyOf(endpoints).containsAll(seen)) {
          violations.add(
              "cut " + (cut + 1) + ": during the outage answers " + seen + ", not of " + endpoints);
        }
        invariants++;
        if (!node.run("nft", "list", "tables").stdout().contains("table ip berth")) {
          violations.add("cut " + (cut + 1) + ": berth's table is gone during the outage");
        }
        node.callInside(
            () -> {
              api.restart();
              return null;
            });
        load.phase("after cut " + (cut + 1));
        faults.add(
            "API server cut off "
                + outage.toSeconds()
                + " s; meanwhile web's slice -> "
                + changed
                + ", Service "
                + extra
                + " created");
        invariants++;
        if (!awaitAnswers("web", vip, Set.copyOf(changed))) {
          violations.add("cut " + (cut + 1) + ": web's slice change " + changed + " not applied");
        }
        invariants++;
        if (!awaitAnswers(extra, extraVip, Set.of("c"))) {
          violations.add("cut " + (cut + 1) + ": Service " + extra + " not applied");
        }
        endpoints = changed;
      }
      Thread.sleep(1_000);
      invariants++;
      if (load.failures() > 0) {
        violations.add(
            load.failures() + " of " + load.requests() + " requests failed: " + load.failureLog());
      }
      System.out.printf(Locale.ROOT, "  client requests per phase: %s%n", load.answersPerPhase());
    }
    invariants++;
    Map<String, String> containersNow = containers();
    if (!containersNow.equals(containersAtStart)) {
      violations.add("pod containers changed: " + containersAtStart + " -> " + containersNow);
    }
    invariants++;
    if (!berth.isAlive()) {
      violations.add("berth exited with " + berth.exitValue());
    }
    System.out.printf(
        Locale.ROOT,
        "SOAK api-outage-proxy: load held: 1 client through a ClusterIP every 200 ms, 3 pods, %d"
            + " Services; faults injected: %d %s; invariants checked: %d; violations: %d %s%n",
        1 + faults.size(),
        faults.size(),
        faults,
        invariants,
        violations.size(),
        violations);
    assertThat(violations).isEmpty();
  }

  /** Polls until {@code service}'s VIP answers with exactly {@code want}; false on time-out. */
  private boolean awaitAnswers(String service, String vip, Set<String> want) throws Exception {
    try {
      Poll.until(
          service + " answers from " + want,
          APPLIED,
          Duration.ofMillis(300),
          () -> answers(vip, 20).equals(want) ? Optional.of(true) : Optional.empty(),
          this::logTail);
      return true;
    } catch (AssertionError | IllegalStateException e) {
      System.out.println("soak api-outage-proxy: " + e.getMessage());
      return false;
    }
  }

  private Set<String> answers(String vip, int n) {
    Set<String> seen = new TreeSet<>();
    for (int i = 0; i < n; i++) {
      seen.add(client.fetch(vip, 80).orElse("(failed)"));
    }
    return seen;
  }

  private void createPod(String name) throws IOException {
    api.store()
        .create(
            ApiResources.PODS,
            "default",
            (ObjectNode)
                JSON.readTree(
                    """
                    {"metadata": {"name": "%s", "namespace": "default", "labels": {"app": "web"}},
                     "spec": {"nodeName": "%s", "terminationGracePeriodSeconds": 1,
                       "containers": [{"name": "httpd", "image": "%s",
                         "imagePullPolicy": "Never", "command": ["sh", "-c",
                         "mkdir /www; echo %s > /www/index.html; exec httpd -f -p 8080 -h /www"]}]}}
                    """
                        .formatted(name, NODE, containerd.busyboxImage(), name)));
  }

  /** Creates a ClusterIP Service (port 80 → 8080) in the store; returns its allocated VIP. */
  private String createService(String name) throws IOException {
    return api.store()
        .create(
            ApiResources.SERVICES,
            "default",
            (ObjectNode)
                JSON.readTree(
                    """
                    {"metadata": {"name": "%s", "namespace": "default"},
                     "spec": {"ports": [{"name": "http", "port": 80, "targetPort": 8080}]}}
                    """
                        .formatted(name)))
        .at("/spec/clusterIP")
        .asText();
  }

  /** The endpointslice controller's slice {@code <service>-x1}: the named pods, ready. */
  private void applySlice(String service, List<String> pods, Map<String, String> ips)
      throws IOException {
    StringBuilder endpoints = new StringBuilder();
    for (String pod : pods) {
      endpoints
          .append(endpoints.isEmpty() ? "" : ",")
          .append(
              """
              {"addresses": ["%s"], "nodeName": "%s",
               "conditions": {"ready": true, "serving": true, "terminating": false}}
              """
                  .formatted(ips.get(pod), NODE));
    }
    ObjectNode slice =
        (ObjectNode)
            JSON.readTree(
                """
                {"metadata": {"name": "%s-x1", "namespace": "default",
                   "labels": {"kubernetes.io/service-name": "%s",
                              "endpointslice.kubernetes.io/managed-by": "test"}},
                 "addressType": "IPv4",
                 "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
                 "endpoints": [%s]}
                """
                    .formatted(service, service, endpoints));
    try {
      api.store().get(ApiResources.ENDPOINT_SLICES, "default", service + "-x1");
      api.store().update(ApiResources.ENDPOINT_SLICES, "default", service + "-x1", slice, false);
    } catch (ApiError notFound) {
      api.store().create(ApiResources.ENDPOINT_SLICES, "default", slice);
    }
  }

  private String podIp(String name) throws Exception {
    return Poll.until(
        "pod " + name + " Running with an IP in the API",
        Duration.ofSeconds(120),
        Duration.ofMillis(500),
        () -> {
          JsonNode p = api.store().get(ApiResources.PODS, "default", name);
          String ip = p.at("/status/podIP").asText();
          return p.at("/status/phase").asText().equals("Running") && !ip.isEmpty()
              ? Optional.of(ip)
              : Optional.empty();
        },
        this::logTail);
  }

  /** Pod name → container ID and restart count, as berth reported them to the API. */
  private Map<String, String> containers() {
    Map<String, String> m = new TreeMap<>();
    for (String n : List.of("a", "b", "c")) {
      JsonNode c =
          api.store().get(ApiResources.PODS, "default", n).at("/status/containerStatuses/0");
      m.put(n, c.path("containerID").asText() + " restarts=" + c.path("restartCount").asInt());
    }
    return m;
  }

  private Process startBerth(Path kubeconfig) throws IOException {
    return BerthCommand.startIn(
        node,
        containerd,
        NODE,
        dir,
        dir.resolve("berth.log"),
        "--kubeconfig",
        kubeconfig.toString(),
        "--cluster-cidr",
        containerd.podCidr(),
        "--proxy-healthz-bind-address",
        "127.0.0.1:10256",
        "--proxy-sync-period",
        "2s",
        "--proxy-mode",
        "nftables");
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(dir.resolve("berth.log"));
      return "berth log tail:\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** berth (TERM, then KILL), the pods, containerd, the API server, the namespaces, the files. */
  private void cleanUp() throws Exception {
    Teardown.stop(
        java.util.Arrays.asList(berth),
        java.util.Arrays.asList(api, containerd, client, node),
        dir);
  }
}
