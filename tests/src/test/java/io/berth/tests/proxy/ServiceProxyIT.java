package io.berth.tests.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.tests.fixtures.BerthCommand;
import io.berth.tests.fixtures.ContainerdLauncher;
import io.berth.tests.fixtures.NodeNetns;
import io.berth.tests.fixtures.Poll;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code berth run} as a real process inside a node network namespace the test creates, with its
 * own containerd there: a static pod and a Service file become a Service whose ClusterIP and
 * NodePort, requested from inside the node namespace, reach the pod (endpoints built by berth from
 * its own pod, the named target port resolved from the container port). Also: {@code /healthz} on
 * 10256 answers 503 with kube-proxy's JSON while another program owns berth's table and every sync
 * fails, and 200 once syncs succeed; the kube-proxy metrics are on {@code /metrics}; deleting the
 * pod makes the Service reject and deletes the stale UDP conntrack entry of a client that keeps
 * sending; {@code berth cleanup} removes berth's tables and leaves a canary table byte-identical.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServiceProxyIT {
  private static final String VIP = "10.96.77.10";
  private static final int NODE_PORT = 30777;
  private static final String DNS_VIP = "10.96.77.53";
  private NodeNetns node;
  private ContainerdLauncher containerd;
  private Path dir;
  private Path manifests;
  private Path services;
  private Process berth;
  private Process tableOwner;
  private Process udpClient;

  @BeforeAll
  void start() throws Exception {
    dir = Files.createTempDirectory("berth-service-proxy-it-");
    manifests = Files.createDirectory(dir.resolve("manifests"));
    services = Files.createDirectory(dir.resolve("services"));
    node = NodeNetns.create("sp");
    containerd = ContainerdLauncher.launch(node);
  }

  @AfterAll
  void stop() throws Exception {
    Teardown.stop(
        java.util.Arrays.asList(berth, tableOwner, udpClient),
        java.util.Arrays.asList(containerd, node),
        dir);
  }

  @Test
  void servesAServiceFromAPodFileThroughClusterIpAndNodePortThenRejectsAndCleansUp()
      throws Exception {
    String canary =
        """
        add table ip canary
        add chain ip canary input { type filter hook input priority 0; policy accept; }
        add rule ip canary input tcp dport 9 counter
        add set ip canary addrs { type ipv4_addr; }
        add element ip canary addrs { 192.0.2.99 }
        """;
    Files.writeString(dir.resolve("canary.nft"), canary);
    node.run("nft", "-f", dir.resolve("canary.nft").toString());
    String canaryBefore = node.run("nft", "list", "table", "ip", "canary").stdout();

    // another program owns "table ip berth": every sync berth tries fails with EPERM
    tableOwner = new ProcessBuilder(node.command("nft", "-i")).redirectErrorStream(true).start();
    OutputStream ownerIn = tableOwner.getOutputStream();
    ownerIn.write("add table ip berth { flags owner; }\n".getBytes(StandardCharsets.US_ASCII));
    ownerIn.flush();
    awaitTrue(
        "the foreign owned table",
        Duration.ofSeconds(10),
        () -> tables().contains("table ip berth"));

    Files.writeString(
        manifests.resolve("web.yaml"),
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
          labels: {app: web}
        spec:
          terminationGracePeriodSeconds: 2
          containers:
          - name: httpd
            image: %s
            command: ["sh", "-c", "echo hello-through-the-vip > /tmp/index.html; exec httpd -f -p 8080 -h /tmp"]
            ports:
            - {name: http, containerPort: 8080}
        """
            .formatted(containerd.busyboxImage()));
    Files.writeString(
        services.resolve("web.yaml"),
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          type: NodePort
          selector: {app: web}
          clusterIP: %s
          clusterIPs: [%s]
          ports:
          - {name: http, port: 80, targetPort: http, nodePort: %d}
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: dns
        spec:
          selector: {app: web}
          clusterIP: %s
          ports:
          - {name: dns, port: 53, targetPort: 5353, protocol: UDP}
        """
            .formatted(VIP, VIP, NODE_PORT, DNS_VIP));
    berth = startBerth();

    // 1. syncs fail: after 2 x the 2 s sync period, /healthz says 503 with kube-proxy's body
    Curl unhealthy =
        await(
            "healthz 503",
            Duration.ofSeconds(60),
            () -> curl("http://127.0.0.1:10256/healthz"),
            c -> c.status() == 503);
    assertThat(unhealthy.body()).startsWith("{\"lastUpdated\": \"\",\"currentTime\": \"");
    assertThat(curl("http://" + VIP + "/index.html").status()).isNotEqualTo(200);

    // 2. the owner goes away (its table with it): the next retry succeeds, healthz is 200 again
    ownerIn.close();
    assertThat(tableOwner.waitFor(10, TimeUnit.SECONDS)).isTrue();
    long released = System.nanoTime();
    Curl healthy =
        await(
            "healthz 200",
            Duration.ofSeconds(60),
            () -> curl("http://127.0.0.1:10256/healthz"),
            c -> c.status() == 200);
    assertThat(healthy.body())
        .matches("\\{\"lastUpdated\": \"20[0-9-]+T.*\",\"currentTime\": .*\\n?");

    // 3. the ClusterIP and the NodePort on the node's address reach the pod
    Curl viaVip =
        await(
            "ClusterIP",
            Duration.ofSeconds(60),
            () -> curl("http://" + VIP + "/index.html"),
            c -> c.status() == 200);
    long served = System.nanoTime();
    assertThat(viaVip.body()).isEqualTo("hello-through-the-vip\n");
    Curl viaNodePort = curl("http://" + node.nodeIp() + ":" + NODE_PORT + "/index.html");
    assertThat(viaNodePort.status()).isEqualTo(200);
    assertThat(viaNodePort.body()).isEqualTo("hello-through-the-vip\n");
    // --nodeport-addresses leaves the node's other local address (the bridge's) without node ports
    String gateway = containerd.podSubnet().gateway();
    assertThat(curl("http://" + gateway + ":" + NODE_PORT + "/index.html").exit())
        .as("node port on %s", gateway)
        .isEqualTo(7);

    // 4. kube-proxy's metrics on berth's /metrics
    String metrics = curl("http://127.0.0.1:10248/metrics").body();
    assertThat(metrics)
        .contains("kubeproxy_sync_proxy_rules_last_timestamp_seconds ")
        .contains("kubeproxy_sync_proxy_rules_duration_seconds_bucket")
        .contains("kubeproxy_network_programming_duration_seconds_count");
    assertThat(value(metrics, "kubeproxy_sync_proxy_rules_nftables_sync_failures_total"))
        .isGreaterThanOrEqualTo(1);
    assertThat(value(metrics, "berth_proxy_endpoints")).isEqualTo(2); // web:http and dns:dns
    double programmingSum = value(metrics, "kubeproxy_network_programming_duration_seconds_sum");
    double programmingCount =
        value(metrics, "kubeproxy_network_programming_duration_seconds_count");

    // a UDP client keeps one socket sending to the dns VIP: one conntrack entry, DNATed to the pod
    // (packet counting on, in the node namespace only)
    node.run("sysctl", "-qw", "net.netfilter.nf_conntrack_acct=1");
    udpClient =
        new ProcessBuilder(
                node.command(
                    "bash",
                    "-c",
                    "exec 3>/dev/udp/"
                        + DNS_VIP
                        + "/53; while :; do echo q >&3 2>/dev/null;"
                        + " sleep 0.2; done"))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    awaitTrue(
        "a UDP conntrack entry to the dns VIP with 20 datagrams",
        Duration.ofSeconds(60),
        () -> {
          List<Long> packets = udpFlowPackets();
          return packets.size() == 1 && packets.getFirst() >= 20;
        });
    long packetsBefore = udpFlowPackets().getFirst();

    // berth restarts: the rules stay in force meanwhile, its first (full) sync replaces them in one
    // transaction, and a UDP flow to a live endpoint keeps its conntrack entry
    berth.destroy();
    assertThat(berth.waitFor(30, TimeUnit.SECONDS)).isTrue();
    long restarted = System.nanoTime();
    berth = startBerth();
    int failed = 0;
    int requests = 0;
    while (true) {
      requests++;
      if (curl("http://" + VIP + "/index.html").status() != 200) {
        failed++;
      }
      Curl h = curl("http://127.0.0.1:10256/healthz");
      if (h.status() == 200 && !h.body().startsWith("{\"lastUpdated\": \"\"")) {
        break; // the new berth has synced
      }
      assertThat(System.nanoTime() - restarted).as("new berth synced").isLessThan(120_000_000_000L);
    }
    long resynced = System.nanoTime();
    assertThat(failed).as("VIP requests failed during the restart, of %d", requests).isZero();
    // the same entry, still counting (a re-created one would have started again from 1)
    assertThat(udpFlowPackets())
        .singleElement()
        .satisfies(p -> assertThat(p).isGreaterThan(packetsBefore));

    // 5. the pod goes away. While it terminates its endpoint still serves (and the dying httpd may
    // refuse by itself), so wait for berth's sync without endpoints, then: the Service rejects
    // (curl exit 7, connection refused by berth's REJECT; a dropped SYN would be 28, a timeout)
    Files.delete(manifests.resolve("web.yaml"));
    long deleted = System.nanoTime();
    awaitTrue(
        "a sync without endpoints",
        Duration.ofSeconds(60),
        () -> value(curl("http://127.0.0.1:10248/metrics").body(), "berth_proxy_endpoints") == 0);
    long rejected = System.nanoTime();
    assertThat(curl("http://" + VIP + "/index.html").exit()).isEqualTo(7);
    assertThat(curl("http://" + node.nodeIp() + ":" + NODE_PORT + "/").exit()).isEqualTo(7);
    // the UDP flow to the gone endpoint was deleted right after that sync, though the client kept
    // it fresh (unreplied UDP entries otherwise live 30 s after the last datagram)
    awaitTrue("the stale UDP flow deleted", Duration.ofSeconds(10), () -> udpFlows() == 0);
    assertThat(udpClient.isAlive()).as("the UDP client kept sending").isTrue();
    udpClient.destroy();

    // 6. berth stops: its rules stay (as kube-proxy's); berth cleanup removes them and only them
    berth.destroy();
    assertThat(berth.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(tables()).contains("table ip berth").contains("table ip6 berth");
    Run cleanup = berthCommand("cleanup");
    assertThat(cleanup.exit()).as(cleanup.stderr()).isZero();
    assertThat(cleanup.stdout()).isEqualTo("berth: removed table ip berth, table ip6 berth\n");
    assertThat(tables()).doesNotContain("berth").contains("table ip canary");
    assertThat(node.run("nft", "list", "table", "ip", "canary").stdout()).isEqualTo(canaryBefore);
    assertThat(berthCommand("cleanup").stdout()).isEqualTo("berth: no berth tables to remove\n");
    System.err.printf(
        "ServiceProxyIT: owner released → VIP serving %d ms, manifest deleted → no endpoints %d"
            + " ms, network programming latency mean %.3f s over %d slice changes; berth restart →"
            + " first sync %d ms with %d VIP requests, none failed%n",
        (served - released) / 1_000_000,
        (rejected - deleted) / 1_000_000,
        programmingSum / programmingCount,
        (long) programmingCount,
        (resynced - restarted) / 1_000_000,
        requests);
  }

  private Process startBerth() throws IOException {
    List<String> cmd =
        BerthCommand.of(
            "run",
            "--container-runtime-endpoint",
            containerd.endpoint(),
            "--node-name",
            "berth-sp-node",
            "--root-dir",
            dir.toString(),
            "--pod-manifest-path",
            manifests.toString(),
            "--cgroup-root",
            containerd.cgroupParent(),
            "--pod-logs-dir",
            containerd.podLogRoot().toString(),
            "--service-dir",
            services.toString(),
            "--cluster-cidr",
            containerd.podCidr(),
            "--nodeport-addresses",
            node.nodeIp() + "/32",
            "--proxy-sync-period",
            "2s");
    return new ProcessBuilder(node.command(cmd.toArray(String[]::new)))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("berth.log").toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .start();
  }

  record Run(int exit, String stdout, String stderr) {}

  private Run berthCommand(String... args) throws Exception {
    List<String> cmd = BerthCommand.of(args);
    Process p = new ProcessBuilder(node.command(cmd.toArray(String[]::new))).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), out, err);
  }

  /** Conntrack entries of UDP flows to the dns VIP in the node namespace. */
  private long udpFlows() {
    return udpFlowPackets().size();
  }

  /**
   * The original-direction packet count of each such entry (needs {@code nf_conntrack_acct} in the
   * node namespace). A deleted and re-created entry starts again from 1; its kernel id would not
   * tell, the kernel derives it from the slab slot and the tuple, both reused at once.
   */
  private List<Long> udpFlowPackets() {
    return node.run("conntrack", "-L", "-p", "udp", "--orig-dst", DNS_VIP)
        .stdout()
        .lines()
        .filter(l -> l.startsWith("udp"))
        .map(l -> Long.parseLong(l.replaceAll(".*? packets=(\\d+) .*", "$1")))
        .toList();
  }

  private String tables() {
    return node.run("nft", "list", "tables").stdout();
  }

  /** curl's exit code (0 ok, 7 refused, 28 timeout), HTTP status, body and total time. */
  record Curl(int exit, int status, String body, double seconds) {}

  private Curl curl(String url) {
    try {
      Process p =
          new ProcessBuilder(
                  node.command(
                      "curl", "-sS", "--max-time", "3", "-w", "\n%{http_code} %{time_total}", url))
              .redirectErrorStream(false)
              .start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.getErrorStream().readAllBytes();
      p.waitFor(10, TimeUnit.SECONDS);
      int nl = out.lastIndexOf('\n');
      String[] tail = out.substring(nl + 1).split(" ");
      return new Curl(
          p.exitValue(),
          Integer.parseInt(tail[0]),
          out.substring(0, Math.max(nl, 0)),
          Double.parseDouble(tail[1]));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static double value(String metrics, String name) {
    return metrics
        .lines()
        .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
        .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " in /metrics"));
  }

  private void awaitTrue(String what, Duration timeout, Supplier<Boolean> condition)
      throws Exception {
    poll(what, timeout, () -> condition.get() ? Optional.of(true) : Optional.empty());
  }

  private <T> T await(String what, Duration timeout, Supplier<T> probe, Predicate<T> done)
      throws Exception {
    return poll(
        what,
        timeout,
        () -> {
          T v = probe.get();
          return done.test(v) ? Optional.of(v) : Optional.<T>empty();
        });
  }

  private <T> T poll(String what, Duration timeout, Callable<Optional<T>> probe) throws Exception {
    return Poll.until(
        what, timeout, Duration.ofMillis(200), probe, () -> "berth log tail:\n" + logTail());
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(dir.resolve("berth.log"));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }
}
