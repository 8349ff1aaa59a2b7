package io.berth.bench;

import io.berth.cri.ContainerConfig;
import io.berth.cri.ContainerMetadata;
import io.berth.cri.CriRuntime;
import io.berth.cri.NamespaceOptions;
import io.berth.cri.PodSandboxConfig;
import io.berth.cri.PodSandboxMetadata;
import io.berth.cri.RuntimeService;
import io.berth.cri.internal.UdsChannel;
import io.berth.cri.internal.UnixEndpoint;
import io.berth.cri.v1.ContainerStatsRequest;
import io.berth.cri.v1.ContainerStatusRequest;
import io.berth.cri.v1.CreateContainerRequest;
import io.berth.cri.v1.ExecSyncRequest;
import io.berth.cri.v1.ImageSpec;
import io.berth.cri.v1.LinuxPodSandboxConfig;
import io.berth.cri.v1.PodSandboxStatusRequest;
import io.berth.cri.v1.RemoveContainerRequest;
import io.berth.cri.v1.RemovePodSandboxRequest;
import io.berth.cri.v1.RunPodSandboxRequest;
import io.berth.cri.v1.RuntimeServiceGrpc;
import io.berth.cri.v1.StartContainerRequest;
import io.berth.cri.v1.StopContainerRequest;
import io.berth.cri.v1.StopPodSandboxRequest;
import io.berth.tests.fixtures.ContainerdLauncher;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The CRI pod lifecycle on a private containerd, call by call: berth's typed client beside the bare
 * generated gRPC stubs on the same Unix-socket transport (the anchor: what the runtime itself
 * costs). Pods alternate between the two so drift affects both equally.
 *
 * <p>These per-call figures are the "physical limit" that berth's pod start-up is compared with in
 * later benchmarks. Usage: {@code bench/run cri [--pods N] [--out DIR]}.
 */
public final class CriLifecycleBench {
  static final List<String> OPERATIONS =
      List.of(
          "RunPodSandbox",
          "CreateContainer",
          "StartContainer",
          "PodSandboxStatus",
          "ContainerStatus",
          "ExecSync",
          "ContainerStats",
          "StopContainer",
          "RemoveContainer",
          "StopPodSandbox",
          "RemovePodSandbox",
          "pod start (run+create+start)",
          "ContainerStatus (hot loop)",
          "ListContainers (hot loop)",
          "ListPodSandbox (hot loop)");
  private static final int HOT_LOOP_CALLS = 500;
  private static final long DEADLINE_SECONDS = 120;

  private final ContainerdLauncher containerd;
  private final Map<String, Samples> berth = new LinkedHashMap<>();
  private final Map<String, Samples> raw = new LinkedHashMap<>();

  private CriLifecycleBench(ContainerdLauncher containerd) {
    this.containerd = containerd;
    for (String op : OPERATIONS) {
      berth.put(op, new Samples());
      raw.put(op, new Samples());
    }
  }

  public static void main(String[] args) throws IOException {
    int pods = 20;
    Path out = Path.of("bench/results");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--pods" -> pods = Integer.parseInt(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    try (ContainerdLauncher containerd = ContainerdLauncher.launch();
        CriRuntime cri = CriRuntime.connect(containerd.endpoint());
        UdsChannel channel = UdsChannel.open(UnixEndpoint.parse(containerd.endpoint()), 16 << 20)) {
      CriLifecycleBench bench = new CriLifecycleBench(containerd);
      var stub = RuntimeServiceGrpc.newBlockingStub(channel.channel());
      for (int i = 0; i < 3; i++) { // warm up both paths (JIT, runtime caches), not recorded
        bench.viaBerth(cri.runtime(), false);
        bench.viaStubs(stub, false);
      }
      for (int i = 0; i < pods; i++) {
        if (i % 2 == 0) {
          bench.viaBerth(cri.runtime(), true);
          bench.viaStubs(stub, true);
        } else {
          bench.viaStubs(stub, true);
          bench.viaBerth(cri.runtime(), true);
        }
      }
      bench.hotLoops(cri.runtime(), stub, pods);
      bench.report(pods, cri.version().runtimeVersion(), System.out, out);
    }
  }

  private <T> T time(Map<String, Samples> into, String op, boolean record, Supplier<T> call) {
    long start = System.nanoTime();
    T result = call.get();
    if (record) {
      into.get(op).add(System.nanoTime() - start);
    }
    return result;
  }

  private void timeVoid(Map<String, Samples> into, String op, boolean record, Runnable call) {
    time(
        into,
        op,
        record,
        () -> {
          call.run();
          return null;
        });
  }

  private void viaBerth(RuntimeService rt, boolean record) {
    String uid = UUID.randomUUID().toString();
    PodSandboxConfig sandbox =
        PodSandboxConfig.builder(
                new PodSandboxMetadata("bench-" + uid.substring(0, 8), uid, "bench", 0))
            .hostname("bench")
            .logDirectory(containerd.podLogRoot().resolve(uid).toString())
            .label("io.kubernetes.pod.uid", uid)
            .linux(containerd.cgroupParent() + "/pod" + uid, NamespaceOptions.podDefaults())
            .build();
    ContainerConfig container =
        ContainerConfig.builder(new ContainerMetadata("app", 0), containerd.busyboxImage())
            .command("sleep", "3600")
            .logPath("app/0.log")
            .build();
    Map<String, Samples> s = berth;
    long podStart = System.nanoTime();
    String podId = time(s, "RunPodSandbox", record, () -> rt.runPodSandbox(sandbox));
    String id =
        time(s, "CreateContainer", record, () -> rt.createContainer(podId, container, sandbox));
    timeVoid(s, "StartContainer", record, () -> rt.startContainer(id));
    if (record) {
      s.get("pod start (run+create+start)").add(System.nanoTime() - podStart);
    }
    time(s, "PodSandboxStatus", record, () -> rt.podSandboxStatus(podId));
    time(s, "ContainerStatus", record, () -> rt.containerStatus(id));
    time(s, "ExecSync", record, () -> rt.execSync(id, List.of("true"), Duration.ofSeconds(10)));
    time(s, "ContainerStats", record, () -> rt.containerStats(id));
    timeVoid(s, "StopContainer", record, () -> rt.stopContainer(id, Duration.ofSeconds(0)));
    timeVoid(s, "RemoveContainer", record, () -> rt.removeContainer(id));
    timeVoid(s, "StopPodSandbox", record, () -> rt.stopPodSandbox(podId));
    timeVoid(s, "RemovePodSandbox", record, () -> rt.removePodSandbox(podId));
  }

  private void viaStubs(RuntimeServiceGrpc.RuntimeServiceBlockingStub plain, boolean record) {
    String uid = UUID.randomUUID().toString();
    var sandbox =
        io.berth.cri.v1.PodSandboxConfig.newBuilder()
            .setMetadata(
                io.berth.cri.v1.PodSandboxMetadata.newBuilder()
                    .setName("bench-" + uid.substring(0, 8))
                    .setUid(uid)
                    .setNamespace("bench"))
            .setHostname("bench")
            .setLogDirectory(containerd.podLogRoot().resolve(uid).toString())
            .putLabels("io.kubernetes.pod.uid", uid)
            .setLinux(
                LinuxPodSandboxConfig.newBuilder()
                    .setCgroupParent(containerd.cgroupParent() + "/pod" + uid))
            .build();
    var container =
        io.berth.cri.v1.ContainerConfig.newBuilder()
            .setMetadata(io.berth.cri.v1.ContainerMetadata.newBuilder().setName("app"))
            .setImage(ImageSpec.newBuilder().setImage(containerd.busyboxImage()))
            .addCommand("sleep")
            .addCommand("3600")
            .setLogPath("app/0.log")
            .build();
    Supplier<RuntimeServiceGrpc.RuntimeServiceBlockingStub> stub =
        () -> plain.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    Map<String, Samples> s = raw;
    long podStart = System.nanoTime();
    String podId =
        time(
            s,
            "RunPodSandbox",
            record,
            () ->
                stub.get()
                    .runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(sandbox).build())
                    .getPodSandboxId());
    String id =
        time(
            s,
            "CreateContainer",
            record,
            () ->
                stub.get()
                    .createContainer(
                        CreateContainerRequest.newBuilder()
                            .setPodSandboxId(podId)
                            .setConfig(container)
                            .setSandboxConfig(sandbox)
                            .build())
                    .getContainerId());
    time(
        s,
        "StartContainer",
        record,
        () ->
            stub.get()
                .startContainer(StartContainerRequest.newBuilder().setContainerId(id).build()));
    if (record) {
      s.get("pod start (run+create+start)").add(System.nanoTime() - podStart);
    }
    time(
        s,
        "PodSandboxStatus",
        record,
        () ->
            stub.get()
                .podSandboxStatus(
                    PodSandboxStatusRequest.newBuilder().setPodSandboxId(podId).build()));
    time(
        s,
        "ContainerStatus",
        record,
        () ->
            stub.get()
                .containerStatus(ContainerStatusRequest.newBuilder().setContainerId(id).build()));
    time(
        s,
        "ExecSync",
        record,
        () ->
            stub.get()
                .execSync(
                    ExecSyncRequest.newBuilder()
                        .setContainerId(id)
                        .addCmd("true")
                        .setTimeout(10)
                        .build()));
    time(
        s,
        "ContainerStats",
        record,
        () ->
            stub.get()
                .containerStats(ContainerStatsRequest.newBuilder().setContainerId(id).build()));
    time(
        s,
        "StopContainer",
        record,
        () ->
            stub.get()
                .stopContainer(
                    StopContainerRequest.newBuilder().setContainerId(id).setTimeout(0).build()));
    time(
        s,
        "RemoveContainer",
        record,
        () ->
            stub.get()
                .removeContainer(RemoveContainerRequest.newBuilder().setContainerId(id).build()));
    time(
        s,
        "StopPodSandbox",
        record,
        () ->
            stub.get()
                .stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(podId).build()));
    time(
        s,
        "RemovePodSandbox",
        record,
        () ->
            stub.get()
                .removePodSandbox(
                    RemovePodSandboxRequest.newBuilder().setPodSandboxId(podId).build()));
  }

  /**
   * The calls a PLEG relist makes, back to back on one running pod: many samples of the cheap
   * calls, where any per-call overhead of the facade would show.
   */
  private void hotLoops(
      RuntimeService rt, RuntimeServiceGrpc.RuntimeServiceBlockingStub plain, int pods) {
    String uid = UUID.randomUUID().toString();
    PodSandboxConfig sandbox =
        PodSandboxConfig.builder(
                new PodSandboxMetadata("hot-" + uid.substring(0, 8), uid, "bench", 0))
            .logDirectory(containerd.podLogRoot().resolve(uid).toString())
            .linux(containerd.cgroupParent() + "/pod" + uid, NamespaceOptions.podDefaults())
            .build();
    String podId = rt.runPodSandbox(sandbox);
    String id =
        rt.createContainer(
            podId,
            ContainerConfig.builder(new ContainerMetadata("app", 0), containerd.busyboxImage())
                .command("sleep", "3600")
                .logPath("app/0.log")
                .build(),
            sandbox);
    rt.startContainer(id);
    var statusReq = ContainerStatusRequest.newBuilder().setContainerId(id).build();
    var listReq = io.berth.cri.v1.ListContainersRequest.getDefaultInstance();
    var listPodsReq = io.berth.cri.v1.ListPodSandboxRequest.getDefaultInstance();
    Supplier<RuntimeServiceGrpc.RuntimeServiceBlockingStub> stub =
        () -> plain.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    for (int i = 0; i < HOT_LOOP_CALLS + 100; i++) {
      boolean record = i >= 100; // the first 100 of each warm up
      time(berth, "ContainerStatus (hot loop)", record, () -> rt.containerStatus(id));
      time(raw, "ContainerStatus (hot loop)", record, () -> stub.get().containerStatus(statusReq));
      time(
          berth,
          "ListContainers (hot loop)",
          record,
          () -> rt.listContainers(io.berth.cri.ContainerFilter.all()));
      time(raw, "ListContainers (hot loop)", record, () -> stub.get().listContainers(listReq));
      time(
          berth,
          "ListPodSandbox (hot loop)",
          record,
          () -> rt.listPodSandbox(io.berth.cri.PodSandboxFilter.all()));
      time(raw, "ListPodSandbox (hot loop)", record, () -> stub.get().listPodSandbox(listPodsReq));
    }
    rt.stopPodSandbox(podId);
    rt.removePodSandbox(podId);
  }

  private void report(int pods, String runtimeVersion, PrintStream out, Path dir)
      throws IOException {
    List<String> md = new ArrayList<>();
    md.add(
        String.format(
            Locale.ROOT,
            "CRI lifecycle, %d pods per path, containerd %s, %d cores (p99 of %d samples is their maximum but one)",
            pods,
            runtimeVersion,
            Runtime.getRuntime().availableProcessors(),
            pods));
    md.add("");
    md.add(
        "| call | berth p50 ms | berth p99 ms | raw stub p50 ms | raw stub p99 ms | berth/raw p50 |");
    md.add("|---|---:|---:|---:|---:|---:|");
    StringBuilder json =
        new StringBuilder(
            "{\"benchmark\":\"cri-lifecycle\",\"pods\":"
                + pods
                + ",\"runtime\":\"containerd "
                + runtimeVersion
                + "\",\"calls\":[");
    BenchResults results = new BenchResults("cri", "--pods", Integer.toString(pods));
    for (String op : OPERATIONS) {
      Samples b = berth.get(op);
      Samples r = raw.get(op);
      double ratio = b.percentileMillis(50) / r.percentileMillis(50);
      results.figure(
          Figure.of(
              "cri-" + op.replaceAll("[^A-Za-z0-9]+", "-").toLowerCase(Locale.ROOT) + "-p50",
              op + " p50",
              "ms",
              b.percentileMillis(50),
              r.percentileMillis(50),
              "bare generated gRPC stubs, same transport"));
      md.add(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %s | %s | %.2f |",
              op,
              Samples.ms(b.percentileMillis(50)),
              Samples.ms(b.percentileMillis(99)),
              Samples.ms(r.percentileMillis(50)),
              Samples.ms(r.percentileMillis(99)),
              ratio));
      json.append(
          String.format(
              Locale.ROOT,
              "%s{\"call\":\"%s\",\"berth_p50_ms\":%.3f,\"berth_p99_ms\":%.3f,\"raw_p50_ms\":%.3f,\"raw_p99_ms\":%.3f,\"ratio_p50\":%.3f}",
              op.equals(OPERATIONS.get(0)) ? "" : ",",
              op,
              b.percentileMillis(50),
              b.percentileMillis(99),
              r.percentileMillis(50),
              r.percentileMillis(99),
              ratio));
    }
    json.append("]}\n");
    results.writeIfRequested();
    md.forEach(out::println);
    Files.createDirectories(dir);
    Files.write(dir.resolve("cri-lifecycle.md"), md);
    Files.writeString(dir.resolve("cri-lifecycle.json"), json);
    out.println();
    out.println(
        "written: " + dir.resolve("cri-lifecycle.md") + ", " + dir.resolve("cri-lifecycle.json"));
  }
}
