package io.berth.bench;

import io.berth.cri.Container;
import io.berth.cri.ContainerFilter;
import io.berth.cri.ContainerState;
import io.berth.cri.CriRuntime;
import io.berth.cri.PodSandboxConfig;
import io.berth.cri.RuntimeService;
import io.berth.tests.fixtures.ContainerdLauncher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pod start-up: from a manifest appearing in berth's manifest directory to its container running
 * (containerd's {@code /tasks/start} event, see {@link TaskStartEvents}), for single pods and a
 * burst. The anchor is the raw CRI sequence for the same pods (RunPodSandbox, CreateContainer,
 * StartContainer with the requests berth builds for the same manifest, see {@link SamePodConfigs}),
 * sequential for single pods and in parallel for the burst, measured in the same run on the same
 * containerd and ending at the same event. "All running" is the last pod's time.
 *
 * <p>Usage: {@code bench/run pod-start [--pods N] [--burst N[,N...]]}: one burst round per size
 * (e.g. {@code --burst 10,50,110}). With {@code $BERTH_BENCH_OUT} set it also writes {@code
 * pod-start.json} ({@link BenchResults}) with every pod's time for the distribution chart.
 */
public final class PodStartBench {
  private final ContainerdLauncher containerd;
  private final RuntimeService rt;
  private final InProcessBerth berth;
  private final TaskStartEvents events;
  private final SamePodConfigs anchorPods;
  private final String imageRef;
  private final Samples rawEventLead = new Samples();
  private int anchorRound;
  private URI metrics; // set while a measured burst runs: berthStart reads berth's CRI calls
  private Map<String, Long> callsAtRunning = Map.of();

  private PodStartBench(
      ContainerdLauncher containerd,
      RuntimeService rt,
      InProcessBerth berth,
      TaskStartEvents events,
      SamePodConfigs anchorPods,
      String imageRef) {
    this.containerd = containerd;
    this.rt = rt;
    this.berth = berth;
    this.events = events;
    this.anchorPods = anchorPods;
    this.imageRef = imageRef;
  }

  public static void main(String[] args) throws Exception {
    int singles = 20;
    List<Integer> bursts = List.of(50);
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--pods" -> singles = Integer.parseInt(args[++i]);
        case "--burst" ->
            bursts = java.util.Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList();
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    try (ContainerdLauncher containerd = ContainerdLauncher.launch();
        CriRuntime cri = CriRuntime.connect(containerd.endpoint());
        TaskStartEvents events = new TaskStartEvents(containerd);
        InProcessBerth berth = InProcessBerth.start(containerd, "berth-pod-start-")) {
      SamePodConfigs anchorPods =
          new SamePodConfigs(
              "bench",
              java.nio.file.Files.createDirectories(berth.dir.resolve("anchor")),
              containerd.cgroupParent(),
              containerd.podLogRoot());
      String imageRef =
          cri.images()
              .imageStatus(containerd.busyboxImage())
              .orElseThrow(() -> new IllegalStateException("busybox image not imported"))
              .id();
      new PodStartBench(containerd, cri.runtime(), berth, events, anchorPods, imageRef)
          .run(singles, bursts, URI.create(berth.baseUrl() + "/metrics"))
          .writeIfRequested();
    }
  }

  /** berth's CRI calls so far by operation, from its own metrics. */
  private static Map<String, Long> criCalls(URI metrics) throws Exception {
    String body =
        HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString())
            .body();
    Map<String, Long> calls = new java.util.TreeMap<>();
    Matcher m = CRI_CALLS.matcher(body);
    while (m.find()) {
      calls.merge(m.group(1), (long) Double.parseDouble(m.group(2)), Long::sum);
    }
    return calls;
  }

  private static final Pattern CRI_CALLS =
      Pattern.compile(
          "(?m)^berth_runtime_operations_duration_seconds_count\\{[^}]*operation_type=\"(\\w+)\"[^}]*\\}"
              + " (\\S+)$");

  /** berth's CRI calls per pod until every pod of a burst ran; the anchor makes 3 per pod. */
  private static String criCallsPerPod(
      int burst, Map<String, Long> before, Map<String, Long> after) {
    StringBuilder calls = new StringBuilder();
    long total = 0;
    for (var e : after.entrySet()) {
      long n = e.getValue() - before.getOrDefault(e.getKey(), 0L);
      if (n > 0) {
        calls.append(String.format(Locale.ROOT, " %s %.1f,", e.getKey(), n / (double) burst));
        total += n;
      }
    }
    return String.format(
        Locale.ROOT,
        "burst of %d: berth's CRI calls per pod until all ran (PLEG relists included): %.1f (%s);"
            + " the anchor makes 3 per pod",
        burst,
        total / (double) burst,
        calls.toString().replaceAll(",$", "").strip());
  }

  private BenchResults run(int singles, List<Integer> bursts, URI metricsUri) throws Exception {
    // warm-up: one pod each way, not recorded
    berthStart(List.of("warm"));
    rawStart(1);
    Samples berthSingle = new Samples();
    Samples rawSingle = new Samples();
    for (int i = 0; i < singles; i++) {
      berthSingle.add(berthStart(List.of("single-" + i)).get(0));
      rawSingle.add(rawStart(1).get(0));
    }
    BenchResults results =
        new BenchResults("pod-start", "--pods", "" + singles, "--burst", bursts.toString());
    System.out.printf(
        Locale.ROOT,
        "pod start, containerd %s, %d cores, load average %.1f; berth: manifest file written ->"
            + " containerd's /tasks/start event of the container; anchor: raw CRI"
            + " run+create+start with berth's requests for the same manifest -> the same event%n%n",
        rt.version().runtimeVersion(),
        Runtime.getRuntime().availableProcessors(),
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    System.out.println("| measurement | berth ms | raw CRI ms | berth/raw |");
    System.out.println("|---|---:|---:|---:|");
    results.figure(
        row(
                "single-p50",
                "1 pod, p50 (" + singles + " pods)",
                berthSingle.percentileMillis(50),
                rawSingle.percentileMillis(50))
            .withTargets(Target.ratioAtMost(1.10)));
    results.figure(
        row(
                "single-p99",
                "1 pod, p99 (" + singles + " pods)",
                berthSingle.percentileMillis(99),
                rawSingle.percentileMillis(99))
            .withTargets(Target.atMost(300, "ms")));
    results
        .series("single berth ms", berthSingle.millis())
        .series("single raw CRI ms", rawSingle.millis());
    List<String> calls = new ArrayList<>();
    for (int burst : bursts) {
      List<String> names = new ArrayList<>();
      for (int i = 0; i < burst; i++) {
        names.add("burst-" + i);
      }
      // "all running": until the last pod of the burst runs (not the clean-up after it)
      Map<String, Long> callsBefore = criCalls(metricsUri);
      this.metrics = metricsUri;
      List<Long> berthBurst = berthStart(names);
      this.metrics = null;
      calls.add(criCallsPerPod(burst, callsBefore, callsAtRunning));
      long berthAll = java.util.Collections.max(berthBurst);
      List<Long> rawBurst = rawStart(burst);
      long rawAll = java.util.Collections.max(rawBurst);
      Samples bb = new Samples();
      berthBurst.forEach(bb::add);
      Samples rb = new Samples();
      rawBurst.forEach(rb::add);
      results.figure(
          row(
                  "burst-" + burst + "-all",
                  "burst of " + burst + ": all running",
                  berthAll / 1e6,
                  rawAll / 1e6)
              .withTargets(Target.ratioAtMost(1.2)));
      results.figure(
          row(
              "burst-" + burst + "-p50",
              "burst of " + burst + ": per-pod p50",
              bb.percentileMillis(50),
              rb.percentileMillis(50)));
      results.figure(
          row(
              "burst-" + burst + "-p99",
              "burst of " + burst + ": per-pod p99",
              bb.percentileMillis(99),
              rb.percentileMillis(99)));
      results
          .series("burst " + burst + " berth ms", bb.millis())
          .series("burst " + burst + " raw CRI ms", rb.millis());
    }
    System.out.println();
    calls.forEach(System.out::println);
    System.out.printf(
        Locale.ROOT,
        "%nBoth sides end at containerd's /tasks/start event; for the anchor's single pods it came"
            + " %.1f ms (p50) before StartContainer returned.%n",
        rawEventLead.percentileMillis(50));
    return results;
  }

  private static Figure row(String id, String what, double berth, double raw) {
    System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.2f |%n", what, berth, raw, berth / raw);
    return Figure.of(
        id,
        what,
        "ms",
        berth,
        raw,
        "raw CRI run+create+start with berth's requests, same manifest");
  }

  /**
   * Writes one manifest per name at once, then polls the CRI until each pod's container runs;
   * returns each pod's time from the write to running. Removes the pods afterwards.
   */
  private List<Long> berthStart(List<String> names) throws Exception {
    long start = System.nanoTime();
    Instant written = Instant.now();
    for (String name : names) {
      berth.writeSleeper(name, containerd.busyboxImage());
    }
    // wait for the pods' task starts on containerd's event stream (a sandbox and a container
    // each), then find the containers with one listing: polling ListContainers while berth
    // starts the pods would load containerd on berth's side only
    if (!events.awaitStartsSince(written, 2 * names.size(), Duration.ofSeconds(120))) {
      throw new IllegalStateException("fewer than " + 2 * names.size() + " task starts in 120 s");
    }
    Map<String, String> containerIds = new java.util.HashMap<>();
    long deadline = start + Duration.ofSeconds(120).toNanos();
    while (containerIds.size() < names.size()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("pods not running after 120 s: " + containerIds.keySet());
      }
      for (Container c : rt.listContainers(ContainerFilter.all().inState(ContainerState.RUNNING))) {
        String pod = c.labels().getOrDefault("io.kubernetes.pod.name", "");
        for (String name : names) {
          if (pod.equals(name + "-bench")) {
            containerIds.putIfAbsent(name, c.id());
          }
        }
      }
      if (containerIds.size() < names.size()) {
        Thread.sleep(250);
      }
    }
    Map<String, Long> runningAt = new java.util.HashMap<>();
    for (String name : names) {
      Instant at =
          events
              .startedAt(containerIds.get(name), Duration.ofSeconds(10))
              .orElseThrow(
                  () -> new IllegalStateException("no /tasks/start event for pod " + name));
      runningAt.put(name, Duration.between(written, at).toNanos());
    }
    if (metrics != null) {
      callsAtRunning = criCalls(metrics);
    }
    for (String name : names) {
      berth.deleteManifest(name);
    }
    awaitNoSandboxes();
    return names.stream().map(runningAt::get).toList();
  }

  /** The manifest of both sides' pods. */
  private String manifest(String name) {
    return """
        apiVersion: v1
        kind: Pod
        metadata: {name: %s}
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - {name: app, image: %s, command: [sleep, "3600"]}
        """
        .formatted(name, containerd.busyboxImage());
  }

  /**
   * The raw CRI sequence for {@code n} pods in parallel, with the requests berth would send for the
   * same manifests (built before the clock starts); returns each pod's time to running.
   */
  private List<Long> rawStart(int n) throws Exception {
    List<SamePodConfigs.Requests> requests = new ArrayList<>();
    anchorRound++;
    for (int i = 0; i < n; i++) {
      requests.add(
          anchorPods.forManifest(
              manifest("raw-" + i), imageRef, "anchor/" + anchorRound + "/raw-" + i + ".yaml"));
    }
    List<Future<long[]>> results = new ArrayList<>();
    long start = System.nanoTime();
    Instant begun = Instant.now();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < n; i++) {
        int index = i;
        results.add(
            pool.submit(
                () -> {
                  PodSandboxConfig sandbox = requests.get(index).sandbox();
                  String podId = rt.runPodSandbox(sandbox);
                  String id = rt.createContainer(podId, requests.get(index).container(), sandbox);
                  rt.startContainer(id);
                  Instant returned = Instant.now();
                  Instant at =
                      events
                          .startedAt(id, Duration.ofSeconds(10))
                          .orElseThrow(
                              () -> new IllegalStateException("no /tasks/start event for " + id));
                  if (n == 1) {
                    rawEventLead.add(Duration.between(at, returned).toNanos());
                  }
                  return new long[] {Duration.between(begun, at).toNanos()};
                }));
      }
    }
    List<Long> times = new ArrayList<>();
    for (Future<long[]> f : results) {
      times.add(f.get()[0]);
    }
    for (var sandbox : rt.listPodSandbox(io.berth.cri.PodSandboxFilter.all())) {
      if (sandbox.metadata().name().startsWith("raw-")) {
        rt.stopPodSandbox(sandbox.id());
        rt.removePodSandbox(sandbox.id());
      }
    }
    for (SamePodConfigs.Requests r : requests) {
      anchorPods.tearDown(r.sandbox().metadata().uid());
    }
    return times;
  }

  private void awaitNoSandboxes() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    Set<String> left = new HashSet<>();
    while (System.nanoTime() < deadline) {
      left.clear();
      rt.listPodSandbox(io.berth.cri.PodSandboxFilter.all())
          .forEach(s -> left.add(s.metadata().name()));
      if (left.isEmpty()) {
        return;
      }
      Thread.sleep(20);
    }
    throw new UncheckedIOException(new IOException("sandboxes not removed after 120 s: " + left));
  }
}
