package io.berth.tests.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.agent.server.NodeServerLimits;
import io.berth.agent.server.NodeServerSettings;
import io.berth.tests.apiserver.ApiResources;
import io.berth.tests.apiserver.TestApiServer;
import io.berth.tests.fixtures.Commands;
import io.berth.tests.fixtures.HttpsConnection;
import io.berth.tests.fixtures.NodeApiPki;
import io.berth.tests.fixtures.Poll;
import io.berth.tests.fixtures.RequestFuzzer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The node API (10250) of a berth that runs pods from the test API server on real containerd: the
 * real kubectl's {@code logs} (follow, previous) and {@code exec} through the API server's node
 * proxy, which presents a client certificate of the node's client CA; authentication (client
 * certificates, TokenReview, no anonymous) and authorization (SubjectAccessReview).
 */
class NodeApiIT {
  private static final String NODE = "nodeapi-node";
  private static Path dir;
  private static TestApiServer api;
  private static BerthOnContainerd berth;
  private static NodeApiPki pki;
  private static Path kubeconfig;
  private static InetSocketAddress nodeApi;
  private static Path servingCert;
  private static Path admin;
  private static final Duration REQUEST_DEADLINE = Duration.ofSeconds(2);

  /** The node's log directory: a file, a subdirectory, a symlink out of it. */
  private static Path nodeLogs() throws Exception {
    Path logs = Files.createDirectory(dir.resolve("varlog"));
    Files.writeString(logs.resolve("node.log"), "node log line\n");
    Files.createDirectory(logs.resolve("journal"));
    Files.writeString(dir.resolve("secret"), "not for the node API\n");
    Files.createSymbolicLink(logs.resolve("escape"), dir.resolve("secret"));
    return logs;
  }

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("berth-nodeapi-");
    pki = NodeApiPki.create(Files.createDirectory(dir.resolve("pki-test")));
    api = TestApiServer.builder().tls(true).start();
    kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"));
    api.reviews()
        .token("stats-token", "stats-reader")
        .allow("stats-reader", "get", "nodes", "stats");
    Path apiserverCert = pki.client("kube-apiserver-kubelet-client", "system:masters");
    NodeServerSettings node =
        NodeServerSettings.on(new InetSocketAddress("127.0.0.1", 0), dir.resolve("node-pki"))
            .withAuthentication(
                new NodeServerSettings.Authentication(
                    pki.caBundle(), true, Duration.ofMinutes(2), false))
            .withNodeLogDir(nodeLogs())
            .withLimits(
                new NodeServerLimits(
                    8192,
                    16 * 1024,
                    64 * 1024,
                    REQUEST_DEADLINE,
                    Duration.ofMinutes(4),
                    1000,
                    100));
    berth = BerthOnContainerd.start(NODE, s -> s.withKubeconfig(kubeconfig).withNodeServer(node));
    nodeApi = berth.agent().nodeApiAddress().orElseThrow();
    servingCert = dir.resolve("node-pki/kubelet.crt");
    api.kubelets()
        .register(NODE, nodeApi)
        .clientCertificate(apiserverCert, NodeApiPki.keyOf(apiserverCert));
    admin = pki.client("admin", "system:masters");
    create("web", "Always", "i=0; while true; do echo line-$i; i=$((i+1)); sleep 0.2; done");
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (berth != null) {
        berth.close();
      }
    } finally {
      if (api != null) {
        api.close();
      }
      BerthPods.deleteTree(dir);
    }
  }

  private static void create(String name, String restart, String script) throws Exception {
    String pod =
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: %s}
        spec:
          nodeName: %s
          restartPolicy: %s
          terminationGracePeriodSeconds: 1
          containers:
          - name: main
            image: %s
            command: ["sh", "-c", "%s"]
        """
            .formatted(name, NODE, restart, berth.containerd.busyboxImage(), script);
    ApiAgents.kubectl(
        kubeconfig, "create", "-f", Files.writeString(dir.resolve(name + ".yaml"), pod).toString());
  }

  private static JsonNode awaitPod(
      String name, String what, java.util.function.Predicate<JsonNode> p) throws Exception {
    return Poll.until(
        "pod " + name + " " + what,
        Duration.ofSeconds(90),
        Duration.ofMillis(200),
        () -> {
          JsonNode pod = api.store().get(ApiResources.PODS, "default", name);
          return p.test(pod) ? Optional.of(pod) : Optional.empty();
        },
        () -> api.store().get(ApiResources.PODS, "default", name).path("status").toString());
  }

  private static SSLContext as(Path cert) {
    return NodeApiPki.clientContext(cert, servingCert);
  }

  private static HttpsConnection connect(SSLContext tls) throws Exception {
    return HttpsConnection.open(tls, nodeApi, Duration.ofSeconds(10));
  }

  @Test
  void kubectlLogsReadsAndFollowsTheContainersOutput() throws Exception {
    awaitPod("web", "running", p -> p.at("/status/phase").asText().equals("Running"));
    String tail =
        Poll.until(
            "two lines of web's log",
            Duration.ofSeconds(30),
            Duration.ofMillis(300),
            () -> {
              String out = ApiAgents.kubectl(kubeconfig, "logs", "web", "--tail=2");
              return out.lines().count() == 2 ? Optional.of(out) : Optional.empty();
            },
            () -> "");
    assertThat(tail.lines()).allMatch(l -> l.matches("line-\\d+"));

    Process follow =
        new ProcessBuilder(
                "kubectl", "--kubeconfig", kubeconfig.toString(), "logs", "-f", "web", "--tail=1")
            .redirectErrorStream(true)
            .start();
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(follow.getInputStream(), StandardCharsets.UTF_8))) {
      List<Integer> seen = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (seen.size() < 8 && System.nanoTime() < deadline) {
        String line = out.readLine();
        assertThat(line).as("kubectl logs -f output").isNotNull().matches("line-\\d+");
        seen.add(Integer.parseInt(line.substring(5)));
      }
      assertThat(seen).hasSize(8);
      for (int i = 1; i < seen.size(); i++) {
        assertThat(seen.get(i)).as("consecutive lines as written").isEqualTo(seen.get(i - 1) + 1);
      }
    } finally {
      follow.destroy();
      follow.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void kubectlLogsPreviousShowsTheInstanceBeforeTheRestart() throws Exception {
    // its own pod: the restart backoff doubles, so a pod made at the start may be long asleep
    create("crash", "Always", "echo run-$(cat /proc/sys/kernel/random/uuid); sleep 5; exit 1");
    awaitPod(
        "crash",
        "running again after a restart",
        p ->
            p.at("/status/containerStatuses/0/restartCount").asInt() >= 1
                && p.at("/status/containerStatuses/0/state/running").isObject());
    String previous = ApiAgents.kubectl(kubeconfig, "logs", "crash", "--previous").strip();
    String current =
        Poll.until(
            "output of crash's current instance",
            Duration.ofSeconds(30),
            Duration.ofMillis(200),
            () -> {
              String out = ApiAgents.kubectl(kubeconfig, "logs", "crash").strip();
              return out.isEmpty() ? Optional.empty() : Optional.of(out);
            },
            () -> "");
    assertThat(previous).matches("run-[0-9a-f-]{36}");
    assertThat(current).matches("run-[0-9a-f-]{36}");
    assertThat(previous).isNotEqualTo(current);
  }

  @Test
  void kubectlExecRunsCommandsWithAndWithoutStdin() throws Exception {
    awaitPod("web", "running", p -> p.at("/status/phase").asText().equals("Running"));
    String out =
        ApiAgents.kubectl(
            kubeconfig, "exec", "web", "--", "sh", "-c", "echo hello from $(hostname)");
    assertThat(out.strip()).isEqualTo("hello from web");
    String echoed =
        Commands.run(
                List.of(
                    "kubectl",
                    "--kubeconfig",
                    kubeconfig.toString(),
                    "exec",
                    "-i",
                    "web",
                    "--",
                    "tr",
                    "a-z",
                    "A-Z"),
                Map.of(),
                "ping from stdin\n".getBytes(StandardCharsets.UTF_8),
                Duration.ofSeconds(60))
            .stdout();
    assertThat(echoed.strip()).isEqualTo("PING FROM STDIN");
  }

  @Test
  void clientCertificatesMustComeFromTheClientCa() throws Exception {
    awaitPod("web", "running", p -> p.at("/status/phase").asText().equals("Running"));
    try (HttpsConnection c = connect(as(admin))) {
      HttpsConnection.Response r = c.get("/pods");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.text()).contains("\"kind\":\"PodList\"");
      assertThat(c.get("/runningpods/").text()).contains("\"web\"");
    }
    for (Path refused : List.of(pki.untrusted("admin"), pki.expired("admin"))) {
      assertThatThrownBy(
              () -> {
                try (HttpsConnection c = connect(as(refused))) {
                  c.get("/pods");
                }
              })
          .as("certificate %s", refused.getFileName())
          .isInstanceOf(java.io.IOException.class);
    }
  }

  @Test
  void withoutCredentialsOrWithARejectedTokenTheAnswerIs401() throws Exception {
    try (HttpsConnection c = connect(as(null))) {
      HttpsConnection.Response r = c.get("/pods");
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.text()).isEqualTo("Unauthorized\n");
      r = c.get("/exec/default/web/main?command=id", "Authorization: Bearer not-a-known-token");
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.text()).isEqualTo("Unauthorized\n");
    }
  }

  @Test
  void aUserAllowedStatsButNotProxyCannotExec() throws Exception {
    awaitPod("web", "running", p -> p.at("/status/phase").asText().equals("Running"));
    try (HttpsConnection c = connect(as(null))) {
      HttpsConnection.Response stats = c.get("/stats/summary", "Authorization: Bearer stats-token");
      assertThat(stats.status()).isEqualTo(200);
      assertThat(stats.text()).contains("\"node\"");
    }
    try (HttpsConnection c = connect(as(null))) {
      c.write(
          ("POST /exec/default/web/main?command=id&stdout=1 HTTP/1.1\r\nHost: node\r\n"
                  + "Authorization: Bearer stats-token\r\nConnection: Upgrade\r\n"
                  + "Upgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n"
                  + "Content-Length: 0\r\n\r\n")
              .getBytes(StandardCharsets.UTF_8));
      HttpsConnection.Response r = c.read();
      assertThat(r.status()).isEqualTo(403);
      assertThat(r.text())
          .isEqualTo("Forbidden (verb=create, resource=nodes, subresource=proxy)\n");
    }
    Path alice = pki.client("alice", "developers");
    try (HttpsConnection c = connect(as(alice))) {
      assertThat(c.get("/pods").status()).as("a certificate user without rules").isEqualTo(403);
    }
  }

  @Test
  void traversalInNamesPathsAndQueriesIsRefusedWithoutEchoingIt() throws Exception {
    awaitPod("web", "running", p -> p.at("/status/phase").asText().equals("Running"));
    record Case(String path, int status, String body) {}
    List<Case> cases =
        List.of(
            // a %2F decodes into a separator: more segments than any route has
            new Case("/containerLogs/default/web/..%2F..%2F..%2Fetc%2Fpasswd", 404, "not found\n"),
            new Case("/containerLogs/default/..%2Fweb/main", 404, "not found\n"),
            new Case("/containerLogs/default/web/..", 400, "invalid container name\n"),
            new Case("/containerLogs/default/%2e%2e/main", 400, "invalid pod name\n"),
            new Case("/containerLogs/..%2e/web/main", 400, "invalid namespace\n"),
            new Case(
                "/containerLogs/default/web/main?tailLines=..%2F..%2Fetc%2Fpasswd",
                400, "tailLines must be an integer\n"),
            new Case(
                "/containerLogs/default/web/main?sinceTime=%3Cscript%3Epasswd",
                400, "sinceTime must be an RFC 3339 time\n"),
            new Case("/containerLogs/default/web/nothere", 404, "container not found\n"),
            new Case("/logs/..%2F..%2Fetc%2Fpasswd", 404, "not found\n"),
            new Case("/logs/../../../etc/passwd", 404, "not found\n"),
            new Case("/logs/%2e%2e/secret", 404, "not found\n"),
            new Case("/logs/escape", 404, "not found\n"),
            new Case("/logs/journal/../../secret", 404, "not found\n"),
            new Case("/logs/node.log", 200, "node log line\n"),
            new Case("/logs/", 200, "escape\njournal/\nnode.log\n"),
            new Case("/exec/default/web/..?command=id&stdout=1", 400, "invalid container name\n"),
            new Case("/exec/default/web/..%2F..%2Fx?command=id", 404, "not found\n"));
    // one kept-alive connection for all cases, as the API server's proxy reuses them (a sized
    // answer such as /logs/node.log used to close it when the next request came too early)
    try (HttpsConnection c = connect(as(admin))) {
      for (Case k : cases) {
        HttpsConnection.Response r = c.get(k.path());
        assertThat(r.status()).as(k.path()).isEqualTo(k.status());
        assertThat(r.text()).as(k.path()).isEqualTo(k.body());
      }
      // the pod writes a line every 200 ms from its start; wait until it has written three
      HttpsConnection.Response logs =
          c.get("/containerLogs/default/web/main?tailLines=3&timestamps=true");
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (logs.text().lines().count() < 3 && System.nanoTime() < deadline) {
        Thread.sleep(200);
        logs = c.get("/containerLogs/default/web/main?tailLines=3&timestamps=true");
      }
      assertThat(logs.status()).isEqualTo(200);
      assertThat(logs.text().lines()).hasSize(3).allMatch(l -> l.matches("\\S+Z line-\\d+"));
    }
  }

  @Test
  void oversizedHeadersAndBodiesAreRefused() throws Exception {
    try (HttpsConnection c = connect(as(admin))) {
      HttpsConnection.Response r = c.get("/pods", "X-Big: " + "a".repeat(20_000));
      assertThat(r.status()).isEqualTo(431);
      assertThat(r.text()).isEqualTo("request header too large\n");
    }
    try (HttpsConnection c = connect(as(admin))) {
      c.write(
          "GET /pods HTTP/1.1\r\nHost: n\r\nContent-Length: 100000\r\n\r\n"
              .getBytes(StandardCharsets.UTF_8));
      HttpsConnection.Response r = c.read();
      assertThat(r.status()).isEqualTo(413);
      assertThat(r.text()).isEqualTo("request body too large\n");
    }
    try (HttpsConnection c = connect(as(admin))) {
      StringBuilder chunked =
          new StringBuilder("POST /pods HTTP/1.1\r\nHost: n\r\nTransfer-Encoding: chunked\r\n\r\n");
      for (int i = 0; i < 20; i++) {
        chunked.append("1000\r\n").append("b".repeat(4096)).append("\r\n");
      }
      c.write(chunked.toString().getBytes(StandardCharsets.UTF_8));
      HttpsConnection.Response r = c.read();
      assertThat(r.status()).isEqualTo(413);
    }
  }

  @Test
  void aSlowClientIsCutOffAtTheRequestDeadlineWhileOthersAreServed() throws Exception {
    try (HttpsConnection slow = connect(as(admin));
        HttpsConnection other = connect(as(admin))) {
      long start = System.nanoTime();
      slow.write("GET /pods HTTP/1.1\r\n".getBytes(StandardCharsets.UTF_8));
      boolean closed = false;
      for (int i = 0; i < 100 && !closed; i++) {
        try {
          slow.write(("X-Slow-" + i + ": x\r\n").getBytes(StandardCharsets.UTF_8));
          Thread.sleep(200);
        } catch (java.io.IOException e) {
          closed = true;
        }
        if (i % 5 == 0) {
          assertThat(other.get("/healthz").status()).isEqualTo(200);
        }
      }
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(closed).as("closed while still trickling headers").isTrue();
      assertThat(took)
          .isGreaterThanOrEqualTo(REQUEST_DEADLINE)
          .isLessThan(REQUEST_DEADLINE.multipliedBy(5));
    }
  }

  /** 10,000 malformed requests (fixed seeds), then berth still answers. */
  @Test
  void fuzzedRequestsLeaveTheServerServing() throws Exception {
    awaitPod("web", "running", p -> p.at("/status/phase").asText().equals("Running"));
    SSLContext adminTls = as(admin);
    SSLContext anonymous = as(null);
    Map<Integer, Integer> statuses = new java.util.concurrent.ConcurrentSkipListMap<>();
    var closedWithoutAnswer = new java.util.concurrent.atomic.AtomicInteger();
    int total = Integer.getInteger("berth.fuzz.requests", 10_000);
    List<String> unanswered = java.util.Collections.synchronizedList(new ArrayList<>());
    int threads = 4;
    long start = System.nanoTime();
    List<java.util.concurrent.Future<?>> workers = new ArrayList<>();
    try (var pool = java.util.concurrent.Executors.newFixedThreadPool(threads)) {
      for (int t = 0; t < threads; t++) {
        int thread = t;
        workers.add(
            pool.submit(
                () -> {
                  RequestFuzzer fuzz = new RequestFuzzer(42 + thread);
                  SSLContext tls = thread % 2 == 0 ? adminTls : anonymous;
                  HttpsConnection c = null;
                  byte[][] last = {new byte[0]};
                  for (int i = thread; i < total; i += threads) {
                    try {
                      if (c == null) {
                        c = HttpsConnection.open(tls, nodeApi, Duration.ofSeconds(5));
                      }
                      byte[] request = fuzz.next();
                      last[0] = request;
                      c.write(request);
                      // a HEAD answer has no body, whatever its Content-Length says; berth
                      // answers every request it finds in the bytes, in order (pipelining)
                      HttpsConnection.Response r =
                          isHead(request) ? c.readHeadResponse() : c.read();
                      statuses.merge(r.status(), 1, Integer::sum);
                      if ("close".equalsIgnoreCase(r.headers().get("connection"))) {
                        c.close();
                        c = null;
                      }
                    } catch (java.io.IOException e) {
                      closedWithoutAnswer.incrementAndGet();
                      if (unanswered.size() < 5) {
                        unanswered.add(
                            e
                                + ": "
                                + new String(
                                        last[0],
                                        0,
                                        Math.min(300, last[0].length),
                                        StandardCharsets.ISO_8859_1)
                                    .replace("\r", "\\r")
                                    .replace("\n", "\\n"));
                      }
                      if (c != null) {
                        c.close();
                      }
                      c = null;
                    }
                  }
                  if (c != null) {
                    c.close();
                  }
                  return null;
                }));
      }
      for (var w : workers) {
        w.get();
      }
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    int answered = statuses.values().stream().mapToInt(Integer::intValue).sum();
    System.out.printf(
        "fuzz: %d requests in %d ms, statuses %s, closed without an answer %d%n",
        total, took.toMillis(), statuses, closedWithoutAnswer.get());
    unanswered.forEach(u -> System.out.println("fuzz: unanswered " + u));
    assertThat(answered + closedWithoutAnswer.get()).isEqualTo(total);
    assertThat(statuses).as("no request made berth fail internally").doesNotContainKeys(500, 502);
    try (HttpsConnection c = connect(adminTls)) {
      assertThat(c.get("/healthz").text()).isEqualTo("ok");
      assertThat(c.get("/pods").status()).isEqualTo(200);
    }
  }

  private static boolean isHead(byte[] request) {
    return new String(request, 0, Math.min(5, request.length), StandardCharsets.ISO_8859_1)
        .equals("HEAD ");
  }

  @Test
  void kubectlPortForwardReachesAPortInsideThePod() throws Exception {
    create(
        "http",
        "Always",
        "mkdir -p /www && echo via-port-forward > /www/index.html && exec httpd -f -p 8080 -h /www");
    awaitPod("http", "running", p -> p.at("/status/phase").asText().equals("Running"));
    Process forward =
        new ProcessBuilder(
                "kubectl",
                "--kubeconfig",
                kubeconfig.toString(),
                "port-forward",
                "pod/http",
                ":8080")
            .redirectErrorStream(true)
            .start();
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(forward.getInputStream(), StandardCharsets.UTF_8))) {
      String line = out.readLine();
      assertThat(line)
          .as("kubectl port-forward output")
          .isNotNull()
          .contains("Forwarding from 127.0.0.1:");
      int port = Integer.parseInt(line.replaceAll(".*127\\.0\\.0\\.1:(\\d+) .*", "$1"));
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      String body =
          Poll.until(
              "the pod's page through the forwarded port",
              Duration.ofSeconds(30),
              Duration.ofMillis(300),
              () -> {
                try {
                  var r =
                      http.send(
                          java.net.http.HttpRequest.newBuilder(
                                  java.net.URI.create("http://127.0.0.1:" + port + "/"))
                              .timeout(Duration.ofSeconds(5))
                              .build(),
                          java.net.http.HttpResponse.BodyHandlers.ofString());
                  return r.statusCode() == 200 ? Optional.of(r.body()) : Optional.empty();
                } catch (java.io.IOException e) {
                  return Optional.empty();
                }
              },
              () -> "");
      assertThat(body.strip()).isEqualTo("via-port-forward");
    } finally {
      forward.destroy();
      forward.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
