package io.berth.tests.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.agent.server.NodeServerSettings;
import io.berth.tests.apiserver.ApiResources;
import io.berth.tests.apiserver.TestApiServer;
import io.berth.tests.fixtures.Commands;
import io.berth.tests.fixtures.HttpsConnection;
import io.berth.tests.fixtures.NodeApiPki;
import io.berth.tests.fixtures.Poll;
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
                    pki.caBundle(), true, Duration.ofMinutes(2), false));
    berth = BerthOnContainerd.start(NODE, s -> s.withKubeconfig(kubeconfig).withNodeServer(node));
    nodeApi = berth.agent().nodeApiAddress().orElseThrow();
    servingCert = dir.resolve("node-pki/kubelet.crt");
    api.kubelets()
        .register(NODE, nodeApi)
        .clientCertificate(apiserverCert, NodeApiPki.keyOf(apiserverCert));
    create("web", "Always", "i=0; while true; do echo line-$i; i=$((i+1)); sleep 0.2; done");
    create("crash", "Always", "echo run-$(cat /proc/sys/kernel/random/uuid); sleep 1; exit 1");
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
    awaitPod(
        "crash",
        "restarted once",
        p -> p.at("/status/containerStatuses/0/restartCount").asInt() >= 1);
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
    Path admin = pki.client("admin", "system:masters");
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
}
