package io.berth.tests.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.netfilter.internal.Native;
import io.berth.netfilter.internal.NetworkNamespace;
import io.berth.tests.apiserver.ApiResources;
import io.berth.tests.apiserver.TestApiServer;
import io.berth.tests.fixtures.BerthCommand;
import io.berth.tests.fixtures.Commands;
import io.berth.tests.fixtures.ContainerdLauncher;
import io.berth.tests.fixtures.NodeNetns;
import io.berth.tests.fixtures.Poll;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code berth run --kubeconfig} as a real process in a node network namespace with its own
 * containerd; the test API server listens inside that namespace too (started on a thread that
 * entered it). The test plays kubectl and the endpointslice controller: a NodePort Service and two
 * pods bound to berth's node are created through the API, the pods' IPs are read back from the
 * statuses berth reported, and EndpointSlices naming them are written through the API. Traffic to
 * the ClusterIP and the NodePort follows the slices: pod a only, then a and b, then b only (a not
 * ready; with the node labelled zone-a and zone hints, only the zone-a pod). Pods started after the
 * Service get its environment variables from the API Service. Once with each data plane ({@code
 * --proxy-mode nftables}; {@code iptables} on an iptables-nft node, written in-process over
 * nfnetlink as iptables-nft encodes it; {@code iptables} on a legacy node, through libiptc); at the
 * end {@code berth cleanup} removes berth's tables or chains and leaves a canary of the same kind
 * identical.
 */
class ApiServiceProxyIT {
  private static final String NODE = "berth-as-node";
  private static final int NODE_PORT = 30779;
  private static final int HC_PORT = 32100;
  private static final String LB_IP = "198.51.100.7";
  private NodeNetns node;
  private ContainerdLauncher containerd;
  private TestApiServer api;
  private Path dir;
  private Path kubeconfig;
  private Process berth;

  @BeforeEach
  void start() throws Exception {
    dir = Files.createTempDirectory("berth-api-service-proxy-it-");
    node = NodeNetns.create("as");
    containerd = ContainerdLauncher.launch(node);
    api = insideNode(node);
    kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"));
  }

  /** The API server's listening socket is made on a thread inside the node namespace. */
  private static TestApiServer insideNode(NodeNetns node) throws Exception {
    CompletableFuture<TestApiServer> started = new CompletableFuture<>();
    Thread.ofPlatform()
        .name("api-server-in-" + node.name())
        .start(
            () -> {
              try {
                new NetworkNamespace(Native.loadLibC()).enter(node.path());
                started.complete(TestApiServer.builder().tls(true).start());
              } catch (Throwable e) {
                started.completeExceptionally(e);
              }
            });
    return started.get(60, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    Teardown.stop(
        java.util.Arrays.asList(berth), java.util.Arrays.asList(api, containerd, node), dir);
  }

  @ParameterizedTest(name = "--proxy-mode {0}")
  @ValueSource(strings = {"nftables", "iptables", "iptables-legacy"})
  void trafficThroughClusterIpAndNodePortFollowsTheApisEndpointSlices(String mode)
      throws Exception {
    String canaryBefore = addCanary(mode);
    berth = startBerth(mode);
    kubectl(
        "create",
        "-f",
        Files.writeString(
                dir.resolve("svc.yaml"),
                """
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec:
                  type: NodePort
                  selector: {app: web}
                  ports: [{name: http, port: 80, targetPort: 8080, nodePort: %d}]
                """
                    .formatted(NODE_PORT))
            .toString());
    String vip =
        api.store().get(ApiResources.SERVICES, "default", "web").at("/spec/clusterIP").asText();
    // berth has the Service (and no endpoint yet): its REJECT answers, connection refused
    awaitTrue("the ClusterIP rejects", Duration.ofSeconds(90), () -> curl(vip, 80).exit() == 7);
    if (mode.startsWith("iptables")) {
      // which path applied the rules: libiptc on a legacy node, nfnetlink on an nft one; never a
      // tool
      assertThat(Files.readString(dir.resolve("berth.log")))
          .contains(
              mode.equals("iptables-legacy")
                  ? "service proxy: iptables (legacy, in-process through libiptc"
                  : "service proxy: iptables (nft, in-process over nfnetlink");
    }

    for (String name : List.of("a", "b")) {
      kubectl(
          "create",
          "-f",
          Files.writeString(
                  dir.resolve(name + ".yaml"),
                  """
                  apiVersion: v1
                  kind: Pod
                  metadata: {name: %s, labels: {app: web}}
                  spec:
                    nodeName: %s
                    terminationGracePeriodSeconds: 1
                    containers:
                    - name: httpd
                      image: %s
                      command: ["sh", "-c", "mkdir /www; echo %s $WEB_SERVICE_HOST:$WEB_SERVICE_PORT > /www/index.html; exec httpd -f -p 8080 -h /www"]
                  """
                      .formatted(name, NODE, containerd.busyboxImage(), name))
              .toString());
    }
    String ipA = podIp("a");
    String ipB = podIp("b");

    // the endpointslice controller's part: a only
    applySlice(List.of(endpoint(ipA, true)));
    Curl first = await("ClusterIP serves a", () -> curl(vip, 80), c -> c.status() == 200);
    assertThat(first.body()).as("pod a's page and its service env").isEqualTo("a " + vip + ":80");
    assertThat(answers(vip, 80, 20)).containsExactly("a");
    assertThat(answers(node.nodeIp(), NODE_PORT, 10)).containsExactly("a");

    // scaled to two: both answer, on both frontends
    applySlice(List.of(endpoint(ipA, true), endpoint(ipB, true)));
    awaitTrue("b joins", Duration.ofSeconds(60), () -> answers(vip, 80, 20).contains("b"));
    assertThat(answers(vip, 80, 40)).containsExactlyInAnyOrder("a", "b");
    assertThat(answers(node.nodeIp(), NODE_PORT, 40)).containsExactlyInAnyOrder("a", "b");

    // topology: the node's zone label from the API, a hinted for zone-a and b for zone-b → cluster
    // traffic (ClusterIP, and the NodePort with its Cluster policy) keeps to zone-a's endpoint
    kubectl("label", "node", NODE, "topology.kubernetes.io/zone=zone-a");
    applySlice(List.of(hinted(ipA, "zone-a"), hinted(ipB, "zone-b")));
    awaitTrue(
        "only the zone's endpoint",
        Duration.ofSeconds(60),
        () -> answers(vip, 80, 20).equals(Set.of("a")));
    assertThat(answers(vip, 80, 40)).containsExactly("a");
    assertThat(answers(node.nodeIp(), NODE_PORT, 20)).containsExactly("a");

    // a not ready: only b
    applySlice(List.of(endpoint(ipA, false), endpoint(ipB, true)));
    awaitTrue("a leaves", Duration.ofSeconds(60), () -> answers(vip, 80, 20).equals(Set.of("b")));
    assertThat(answers(vip, 80, 40)).containsExactly("b");
    assertThat(answers(node.nodeIp(), NODE_PORT, 20)).containsExactly("b");

    // a LoadBalancer Service with externalTrafficPolicy Local: berth serves its health check node
    // port on the node address, 503 while no endpoint is on this node, 200 once one is
    kubectl(
        "create",
        "-f",
        Files.writeString(
                dir.resolve("lb.yaml"),
                """
                apiVersion: v1
                kind: Service
                metadata: {name: lb}
                spec:
                  type: LoadBalancer
                  externalTrafficPolicy: Local
                  healthCheckNodePort: %d
                  selector: {app: web}
                  ports: [{name: http, port: 81, targetPort: 8080, nodePort: 30780}]
                """
                    .formatted(HC_PORT))
            .toString());
    applySlice("lb", List.of(remoteEndpoint("10.213.9.9")));
    Curl noLocal =
        await(
            "health check 503",
            () -> curl(node.nodeIp(), HC_PORT, "/healthz"),
            c -> c.status() == 503);
    assertThat(noLocal.body())
        .isEqualTo(
            "{\"service\":{\"namespace\":\"default\",\"name\":\"lb\"},\"localEndpoints\":0,"
                + "\"serviceProxyHealthy\":true}");
    applySlice("lb", List.of(remoteEndpoint("10.213.9.9"), endpoint(ipB, true)));
    Curl local =
        await(
            "health check 200",
            () -> curl(node.nodeIp(), HC_PORT, "/healthz"),
            c -> c.status() == 200);
    assertThat(local.body()).contains("\"localEndpoints\":1");
    // its load-balancer IP (status, as a cloud controller writes it) serves; with source ranges
    // that leave out the node's own address (192.0.2.1) berth drops it; then it is allowed again
    kubectl(
        "patch",
        "service",
        "lb",
        "--subresource=status",
        "--type=merge",
        "-p",
        "{\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"" + LB_IP + "\"}]}}}");
    await("the LB IP serves", () -> curl(LB_IP, 81), c -> c.status() == 200);
    sourceRanges("lb", "10.9.0.0/16");
    awaitTrue(
        "the LB IP drops the node's source",
        Duration.ofSeconds(60),
        () -> curl(LB_IP, 81).exit() == 28);
    assertThat(curl(node.nodeIp(), 30780).status())
        .as("the node port is not filtered by source ranges")
        .isEqualTo(200);
    sourceRanges("lb", "10.9.0.0/16", "192.0.2.0/24");
    Curl viaLb = await("the LB IP serves again", () -> curl(LB_IP, 81), c -> c.status() == 200);
    assertThat(viaLb.body()).startsWith("b ");
    kubectl("delete", "service", "lb");
    awaitTrue(
        "health check port closed",
        Duration.ofSeconds(60),
        () -> curl(node.nodeIp(), HC_PORT, "/healthz").exit() == 7);

    // the Service deleted through the API: its VIP is no longer berth's (no answer, no REJECT)
    kubectl("delete", "service", "web");
    awaitTrue("the ClusterIP gone", Duration.ofSeconds(60), () -> curl(vip, 80).status() != 200);
    assertThat(berthState(mode)).isNotEmpty();

    // berth stops, its rules stay; berth cleanup removes them and nothing else
    berth.destroy();
    assertThat(berth.waitFor(30, TimeUnit.SECONDS)).isTrue();
    Commands.Result cleanup = node.run(BerthCommand.of("cleanup").toArray(String[]::new));
    assertThat(cleanup.stdout()).startsWith("berth: removed ");
    assertThat(berthState(mode)).isEmpty();
    assertThat(canary(mode)).isEqualTo(canaryBefore);
  }

  /** Someone else's rules of the mode's kind in the node namespace; returns {@link #canary}. */
  private String addCanary(String mode) throws IOException {
    if (mode.equals("nftables")) {
      Path f =
          Files.writeString(
              dir.resolve("canary.nft"),
              """
              add table ip canary
              add chain ip canary input { type filter hook input priority 0; policy accept; }
              add rule ip canary input tcp dport 9 counter
              """);
      node.run("nft", "-f", f.toString());
    } else {
      // the canary's flavour is the one kube-proxy's detection (and berth's) then picks
      String tool = iptablesTool(mode);
      node.run(tool, "-N", "CANARY");
      node.run(tool, "-A", "CANARY", "-p", "tcp", "--dport", "9", "-j", "RETURN");
      node.run(tool, "-A", "INPUT", "-j", "CANARY");
      node.run(tool, "-t", "nat", "-N", "CANARY-NAT");
      node.run(tool, "-t", "nat", "-A", "PREROUTING", "-j", "CANARY-NAT");
    }
    return canary(mode);
  }

  private String canary(String mode) {
    if (mode.equals("nftables")) {
      return node.run("nft", "list", "table", "ip", "canary").stdout();
    }
    return node.run(iptablesTool(mode) + "-save")
        .stdout()
        .lines()
        .filter(l -> l.contains("CANARY"))
        .toList()
        .toString();
  }

  /** berth's tables (nftables) or chains and jumps (iptables), as listed in the node namespace. */
  private List<String> berthState(String mode) {
    if (mode.equals("nftables")) {
      return node.run("nft", "list", "tables")
          .stdout()
          .lines()
          .filter(l -> l.contains("berth"))
          .toList();
    }
    List<String> out = new ArrayList<>();
    String tool4 = iptablesTool(mode);
    for (String tool : List.of(tool4 + "-save", "ip6" + tool4.substring(2) + "-save")) {
      node.run(tool).stdout().lines().filter(l -> l.contains("BERTH")).forEach(out::add);
    }
    return out;
  }

  private String podIp(String name) throws Exception {
    return Poll.until(
        "pod " + name + " Running with an IP in the API",
        Duration.ofSeconds(120),
        Duration.ofMillis(500),
        () -> {
          JsonNode p = api.store().get(ApiResources.PODS, "default", name);
          String ip = p == null ? "" : p.at("/status/podIP").asText();
          return p != null && p.at("/status/phase").asText().equals("Running") && !ip.isEmpty()
              ? Optional.of(ip)
              : Optional.empty();
        },
        this::logTail);
  }

  private static String endpoint(String ip, boolean ready) {
    return """
        - addresses: ["%s"]
          nodeName: %s
          conditions: {ready: %s, serving: %s, terminating: false}
        """
        .formatted(ip, NODE, ready, ready);
  }

  /** Sets {@code spec.loadBalancerSourceRanges} of {@code service} through the API. */
  private void sourceRanges(String service, String... ranges) {
    kubectl(
        "patch",
        "service",
        service,
        "--type=merge",
        "-p",
        "{\"spec\":{\"loadBalancerSourceRanges\":[\"" + String.join("\",\"", ranges) + "\"]}}");
  }

  private static String hinted(String ip, String zone) {
    return """
        - addresses: ["%s"]
          nodeName: %s
          conditions: {ready: true, serving: true, terminating: false}
          hints: {forZones: [{name: %s}]}
        """
        .formatted(ip, NODE, zone);
  }

  private static String remoteEndpoint(String ip) {
    return """
        - addresses: ["%s"]
          nodeName: another-node
          conditions: {ready: true, serving: true, terminating: false}
        """
        .formatted(ip);
  }

  private void applySlice(List<String> endpoints) throws IOException {
    applySlice("web", endpoints);
  }

  /** The endpointslice controller's slice {@code <service>-x1} of port http → 8080. */
  private void applySlice(String service, List<String> endpoints) throws IOException {
    Path f =
        Files.writeString(
            dir.resolve(service + "-slice.yaml"),
            """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: %s-x1
              labels: {kubernetes.io/service-name: %s, endpointslice.kubernetes.io/managed-by: test}
            addressType: IPv4
            ports: [{name: http, port: 8080, protocol: TCP}]
            endpoints:
            """
                    .formatted(service, service)
                + String.join("", endpoints));
    kubectl("apply", "-f", f.toString());
  }

  /** The distinct first words of {@code n} pages fetched from {@code ip:port}. */
  private Set<String> answers(String ip, int port, int n) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < n; i++) {
      Curl c = curl(ip, port);
      seen.add(
          c.status() == 200 ? c.body().split(" ")[0] : "status " + c.status() + "/" + c.exit());
    }
    return seen;
  }

  /**
   * iptables-legacy (the mode "iptables-legacy": berth writes through libiptc), else iptables-nft.
   */
  private static String iptablesTool(String mode) {
    return mode.equals("iptables-legacy") ? "iptables-legacy" : "iptables-nft";
  }

  private Process startBerth(String mode) throws IOException {
    List<String> cmd =
        BerthCommand.of(
            "run",
            "--container-runtime-endpoint",
            containerd.endpoint(),
            "--node-name",
            NODE,
            "--root-dir",
            dir.toString(),
            "--cgroup-root",
            containerd.cgroupParent(),
            "--pod-logs-dir",
            containerd.podLogRoot().toString(),
            "--kubeconfig",
            kubeconfig.toString(),
            "--cluster-cidr",
            containerd.podCidr(),
            "--nodeport-addresses",
            node.nodeIp() + "/32",
            "--proxy-healthz-bind-address",
            "127.0.0.1:10256",
            "--proxy-sync-period",
            "2s",
            "--proxy-mode",
            mode.startsWith("iptables") ? "iptables" : mode);
    return new ProcessBuilder(node.command(cmd.toArray(String[]::new)))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("berth.log").toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .start();
  }

  private void kubectl(String... args) {
    List<String> cmd = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
    cmd.addAll(List.of(args));
    node.run(cmd.toArray(String[]::new));
  }

  record Curl(int exit, int status, String body) {}

  private Curl curl(String ip, int port) {
    return curl(ip, port, "/index.html");
  }

  private Curl curl(String ip, int port, String path) {
    try {
      Process p =
          new ProcessBuilder(
                  node.command(
                      "curl",
                      "-sS",
                      "--max-time",
                      "3",
                      "-w",
                      "\n%{http_code}",
                      "http://" + ip + ":" + port + path))
              .start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.getErrorStream().readAllBytes();
      p.waitFor(10, TimeUnit.SECONDS);
      int nl = out.lastIndexOf('\n');
      return new Curl(
          p.exitValue(),
          Integer.parseInt(out.substring(nl + 1).strip()),
          out.substring(0, Math.max(nl, 0)).strip());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void awaitTrue(String what, Duration timeout, java.util.function.Supplier<Boolean> c)
      throws Exception {
    Poll.until(
        what,
        timeout,
        Duration.ofMillis(300),
        () -> c.get() ? Optional.of(true) : Optional.empty(),
        this::logTail);
  }

  private <T> T await(
      String what, java.util.function.Supplier<T> probe, java.util.function.Predicate<T> done)
      throws Exception {
    return Poll.until(
        what,
        Duration.ofSeconds(60),
        Duration.ofMillis(300),
        () -> {
          T v = probe.get();
          return done.test(v) ? Optional.of(v) : Optional.<T>empty();
        },
        this::logTail);
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
}
