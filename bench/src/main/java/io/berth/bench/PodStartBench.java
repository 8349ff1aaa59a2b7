package io.berth.bench;

import io.berth.cri.Container;
import io.berth.cri.ContainerFilter;
import io.berth.cri.ContainerState;
import io.berth.cri.CriRuntime;
import io.berth.cri.PodSandboxConfig;
import io.berth.cri.RuntimeService;
import io.berth.tests.fixtures.ContainerdLauncher;
import io.berth.tests.fixtures.CriPods;
import java.io.IOException;
import java.io.UncheckedIOException;
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

/**
 * Pod start-up: from a manifest appearing in berth's manifest directory to its container running
 * (containerd's {@code /tasks/start} event, see {@link TaskStartEvents}), for single pods and a
 * burst. The anchor is the raw CRI sequence for the same pod shape (RunPodSandbox, CreateContainer,
 * StartContainer), sequential for single pods and in parallel for the burst, measured in the same
 * run on the same containerd and ending at the same event. "All running" is the last pod's time.
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
  private final Samples rawEventLead = new Samples();

  private PodStartBench(
      ContainerdLauncher containerd,
      RuntimeService rt,
      InProcessBerth berth,
      TaskStartEvents events) {
    this.containerd = containerd;
    this.rt = rt;
    this.berth = berth;
    this.events = events;
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
      new PodStartBench(containerd, cri.runtime(), berth, events)
          .run(singles, bursts)
          .writeIfRequested();
    }
  }

  private BenchResults run(int singles, List<Integer> bursts) throws Exception {
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
        "pod start, containerd %s, %d cores; berth: manifest file written -> containerd's"
            + " /tasks/start event of the container; anchor: raw CRI run+create+start of the same"
            + " pod shape -> the same event%n%n",
        rt.version().runtimeVersion(),
        Runtime.getRuntime().availableProcessors());
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
    for (int burst : bursts) {
      List<String> names = new ArrayList<>();
      for (int i = 0; i < burst; i++) {
        names.add("burst-" + i);
      }
      // "all running": until the last pod of the burst runs (not the clean-up after it)
      List<Long> berthBurst = berthStart(names);
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
    System.out.printf(
        Locale.ROOT,
        "%nBoth sides end at containerd's /tasks/start event; for the anchor's single pods it came"
            + " %.1f ms (p50) before StartContainer returned.%n",
        rawEventLead.percentileMillis(50));
    return results;
  }

  private static Figure row(String id, String what, double berth, double raw) {
    System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.2f |%n", what, berth, raw, berth / raw);
    return Figure.of(id, what, "ms", berth, raw, "raw CRI run+create+start, same pod shape");
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
    // find the containers with a slow poll (it must not load containerd), then read when
    // containerd started each one from its event stream
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
      Thread.sleep(50);
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
    for (String name : names) {
      berth.deleteManifest(name);
    }
    awaitNoSandboxes();
    return names.stream().map(runningAt::get).toList();
  }

  /** The raw CRI sequence for {@code n} pods in parallel; returns each pod's time to running. */
  private List<Long> rawStart(int n) throws Exception {
    CriPods pods = new CriPods(containerd);
    List<Future<long[]>> results = new ArrayList<>();
    long start = System.nanoTime();
    Instant begun = Instant.now();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < n; i++) {
        int index = i;
        results.add(
            pool.submit(
                () -> {
                  PodSandboxConfig sandbox = unowned(pods.sandbox("raw-" + index));
                  String podId = rt.runPodSandbox(sandbox);
                  String id = rt.createContainer(podId, pods.shell("app", "sleep 3600"), sandbox);
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
    return times;
  }

  /**
   * The same sandbox without the kubelet's {@code io.kubernetes.pod.*} labels: like the kubelet,
   * berth owns every labelled pod in the runtime and would remove the anchor's as orphans.
   */
  private static PodSandboxConfig unowned(PodSandboxConfig c) {
    var labels = new java.util.HashMap<>(c.labels());
    labels.keySet().removeIf(k -> k.startsWith("io.kubernetes."));
    return new PodSandboxConfig(
        c.metadata(),
        c.hostname(),
        c.logDirectory(),
        c.dnsConfig(),
        c.portMappings(),
        labels,
        c.annotations(),
        c.linux());
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
