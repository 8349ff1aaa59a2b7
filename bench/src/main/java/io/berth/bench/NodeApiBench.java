package io.berth.bench;

import io.berth.agent.NodeAgent;
import io.berth.agent.server.NodeServerSettings;
import io.berth.cri.ContainerFilter;
import io.berth.cri.ContainerState;
import io.berth.cri.CriRuntime;
import io.berth.tests.fixtures.ContainerdLauncher;
import io.berth.tests.fixtures.HttpsConnection;
import io.berth.tests.fixtures.NodeApiPki;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;

/**
 * The node API (10250) under load, with N pods (default 110, the kubelet's maxPods) on a private
 * containerd: requests/s and p99 of {@code /healthz} and {@code /pods} over TLS with a client
 * certificate (keep-alive connections, C clients), beside the same routes on berth's plain-HTTP
 * local port (the anchor: what TLS and authentication cost); and {@code /containerLogs} of an 8 MB
 * container log in MB/s of log file read, beside {@code cat} of the same file.
 *
 * <p>Usage: {@code bench/run nodeapi [--pods N] [--clients C] [--seconds S]}.
 */
public final class NodeApiBench {
  private NodeApiBench() {}

  public static void main(String[] args) throws Exception {
    int pods = 110;
    int clients = 4;
    int seconds = 5;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--pods" -> pods = Integer.parseInt(args[++i]);
        case "--clients" -> clients = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Path work = Files.createTempDirectory("berth-nodeapi-bench-");
    Path manifests = Files.createDirectories(work.resolve("manifests"));
    NodeApiPki pki = NodeApiPki.create(Files.createDirectories(work.resolve("pki-test")));
    Path client = pki.client("bench", "system:masters");
    try (ContainerdLauncher containerd = ContainerdLauncher.launch();
        CriRuntime cri = CriRuntime.connect(containerd.endpoint())) {
      NodeServerSettings node =
          NodeServerSettings.on(new InetSocketAddress("127.0.0.1", 0), work.resolve("pki"))
              .withAuthentication(
                  new NodeServerSettings.Authentication(
                      pki.caBundle(), false, Duration.ofMinutes(2), false))
              .withAuthorization(
                  new NodeServerSettings.Authorization(
                      NodeServerSettings.AuthorizationMode.ALWAYS_ALLOW,
                      Duration.ofMinutes(5),
                      Duration.ofSeconds(30)));
      NodeAgent agent =
          new NodeAgent(
              new NodeAgent.Settings(
                      containerd.endpoint(),
                      new InetSocketAddress("127.0.0.1", 0),
                      "bench",
                      work,
                      Duration.ofSeconds(1),
                      manifests,
                      containerd.cgroupParent(),
                      containerd.podLogRoot())
                  .withNodeServer(node),
              Clock.systemUTC(),
              Map.of());
      agent.start();
      try {
        writePods(manifests, containerd.busyboxImage(), pods);
        awaitRunning(cri, pods);
        SSLContext tls = NodeApiPki.clientContext(client, work.resolve("pki/kubelet.crt"));
        InetSocketAddress secure = agent.nodeApiAddress().orElseThrow();
        InetSocketAddress local = agent.httpAddress();
        System.out.printf(
            Locale.ROOT,
            "node API, %d pods, %d clients x %d s per row, %d cores, load average %.1f%n%n",
            pods,
            clients,
            seconds,
            Runtime.getRuntime().availableProcessors(),
            java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                .getSystemLoadAverage());
        System.out.println(
            "| route | 10250 TLS+cert req/s | p99 ms | 10248 plain req/s | p99 ms | req/s ratio |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        BenchResults results = new BenchResults("nodeapi", args);
        String plainAnchor = "the same route on berth's plain-HTTP 10248";
        for (String route : List.of("/healthz", "/pods")) {
          Load berth =
              load(
                  () -> HttpsConnection.open(tls, secure, Duration.ofSeconds(30)),
                  route,
                  clients,
                  seconds);
          Load plain =
              load(
                  () -> HttpsConnection.plain(local, Duration.ofSeconds(30)),
                  route,
                  clients,
                  seconds);
          System.out.printf(
              Locale.ROOT,
              "| %s | %.0f | %.1f | %.0f | %.1f | %.2f |%n",
              route,
              berth.perSecond(),
              berth.latency().percentileMillis(99),
              plain.perSecond(),
              plain.latency().percentileMillis(99),
              berth.perSecond() / plain.perSecond());
          String id = route.replace("/", "");
          String on = route + " on 10250 (TLS, client certificate), " + pods + " pods";
          results
              .figure(
                  Figure.of(
                      id + "-rate",
                      on + ", " + clients + " clients",
                      "req/s",
                      berth.perSecond(),
                      plain.perSecond(),
                      plainAnchor))
              .figure(
                  Figure.of(
                      id + "-p99",
                      on + ", p99",
                      "ms",
                      berth.latency().percentileMillis(99),
                      plain.latency().percentileMillis(99),
                      plainAnchor));
        }
        logs(tls, secure, containerd, results);
        results.writeIfRequested();
      } finally {
        agent.close();
      }
    } finally {
      try (Stream<Path> walk = Files.walk(work)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void writePods(Path manifests, String image, int pods) throws Exception {
    for (int i = 0; i < pods - 1; i++) { // the chatty one is the last of maxPods
      write(manifests, "idle-" + i, image, "sleep 3600");
    }
    // 8 MB of log (below the 10 MiB rotation size), then idle
    write(
        manifests,
        "chatty",
        image,
        "i=0; while [ $i -lt 80000 ]; do echo \\\"line $i of the chatty container's log, padded to"
            + " about one hundred bytes of text.....\\\"; i=$((i+1)); done; sleep 3600");
  }

  private static void write(Path manifests, String name, String image, String script)
      throws Exception {
    String pod =
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: %s, namespace: default}
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - name: main
            image: %s
            command: ["sh", "-c", "%s"]
        """
            .formatted(name, image, script);
    Path tmp = manifests.resolve("." + name + ".tmp");
    Files.writeString(tmp, pod);
    Files.move(
        tmp, manifests.resolve(name + ".yaml"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private static void awaitRunning(CriRuntime cri, int want) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
    while (true) {
      long running =
          cri.runtime().listContainers(ContainerFilter.all()).stream()
              .filter(c -> c.state() == ContainerState.RUNNING)
              .count();
      if (running >= want) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("only " + running + " of " + want + " containers run");
      }
      Thread.sleep(500);
    }
  }

  record Load(double perSecond, Samples latency) {}

  /** {@code clients} keep-alive connections sending {@code GET route} for {@code seconds}. */
  private static Load load(
      Callable<HttpsConnection> connect, String route, int clients, int seconds) throws Exception {
    // warm-up
    try (HttpsConnection c = connect.call()) {
      for (int i = 0; i < 50; i++) {
        check(c.get(route));
      }
    }
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    long start = System.nanoTime();
    List<Future<List<Long>>> results = new ArrayList<>();
    for (int t = 0; t < clients; t++) {
      results.add(
          pool.submit(
              () -> {
                List<Long> s = new ArrayList<>();
                try (HttpsConnection c = connect.call()) {
                  while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    check(c.get(route));
                    s.add(System.nanoTime() - t0);
                  }
                }
                return s;
              }));
    }
    Samples all = new Samples();
    int count = 0;
    for (Future<List<Long>> f : results) {
      List<Long> s = f.get();
      count += s.size();
      s.forEach(all::add);
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    pool.shutdown();
    return new Load(count / elapsed, all);
  }

  private static void check(HttpsConnection.Response r) {
    if (r.status() != 200) {
      throw new IllegalStateException("status " + r.status() + ": " + r.text());
    }
  }

  /** /containerLogs of the chatty container vs cat of its log file, 5 times each. */
  private static void logs(
      SSLContext tls, InetSocketAddress secure, ContainerdLauncher containerd, BenchResults results)
      throws Exception {
    Path file;
    try (Stream<Path> walk = Files.walk(containerd.podLogRoot())) {
      file =
          walk.filter(
                  p ->
                      p.toString().contains("default_chatty-bench_")
                          && p.toString().endsWith(".log"))
              .findFirst()
              .orElseThrow(() -> new IllegalStateException("no log file of the chatty pod"));
    }
    long size = Files.size(file);
    Samples berth = new Samples();
    Samples cat = new Samples();
    long bodyBytes = 0;
    for (int i = 0; i < 6; i++) {
      long t0 = System.nanoTime();
      try (HttpsConnection c = HttpsConnection.open(tls, secure, Duration.ofSeconds(60))) {
        HttpsConnection.Response r = c.get("/containerLogs/default/chatty-bench/main");
        check(r);
        bodyBytes = r.body().length;
      }
      long t1 = System.nanoTime();
      Process p =
          new ProcessBuilder("cat", file.toString())
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      p.waitFor();
      long t2 = System.nanoTime();
      if (i > 0) { // the first round warms caches
        berth.add(t1 - t0);
        cat.add(t2 - t1);
      }
    }
    double mb = size / 1e6;
    double berthMbs = mb / (berth.percentileMillis(50) / 1000);
    double catMbs = mb / (cat.percentileMillis(50) / 1000);
    System.out.printf(
        Locale.ROOT,
        "%n| container log %.1f MB (CRI file; %.1f MB of lines sent) | berth /containerLogs | cat |"
            + " ratio |%n|---|---:|---:|---:|%n| p50 MB/s of file (5 reads) | %.0f | %.0f | %.2f |%n",
        mb,
        bodyBytes / 1e6,
        berthMbs,
        catMbs,
        berthMbs / catMbs);
    results.figure(
        Figure.of(
            "container-logs-rate",
            String.format(Locale.ROOT, "/containerLogs of a %.1f MB log, p50 of 5 reads", mb),
            "MB/s",
            berthMbs,
            catMbs,
            "cat of the same log file"));
  }
}
