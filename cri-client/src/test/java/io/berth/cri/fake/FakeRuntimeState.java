package io.berth.cri.fake;

import com.google.protobuf.ByteString;
import io.berth.cri.v1.*;
import io.grpc.Status;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The state behind {@link FakeRuntimeService}: sandboxes and containers, and what each RPC does to
 * them. Methods throw {@link io.grpc.StatusRuntimeException} the way containerd answers (e.g.
 * NOT_FOUND for an unknown id).
 *
 * <p>Thread safety: thread-safe (concurrent maps; each RPC is a short read-modify-write).
 */
final class FakeRuntimeState {
  private record Sandbox(
      String id, PodSandboxConfig config, String handler, long createdAt, PodSandboxState state) {}

  private record Ctr(
      String id,
      String sandboxId,
      ContainerConfig config,
      long createdAt,
      ContainerState state,
      long startedAt,
      long finishedAt,
      int exitCode,
      String reason) {
    Ctr with(ContainerState s, long started, long finished, int exit, String why) {
      return new Ctr(id, sandboxId, config, createdAt, s, started, finished, exit, why);
    }
  }

  private final Clock clock;
  private final AtomicInteger sandboxSeq = new AtomicInteger();
  private final AtomicInteger containerSeq = new AtomicInteger();
  private final Map<String, Sandbox> sandboxes = new ConcurrentHashMap<>();
  private final Map<String, Ctr> containers = new ConcurrentHashMap<>();
  private volatile Function<ExecSyncRequest, ExecSyncResponse> execHandler =
      r ->
          ExecSyncResponse.newBuilder()
              .setStdout(ByteString.copyFromUtf8(String.join(" ", r.getCmdList()) + "\n"))
              .build();
  private volatile Function<String, ContainerStats> statsSource = FakeStats::container;

  FakeRuntimeState(Clock clock) {
    this.clock = clock;
  }

  void setExecHandler(Function<ExecSyncRequest, ExecSyncResponse> handler) {
    this.execHandler = handler;
  }

  void setStatsSource(Function<String, ContainerStats> source) {
    this.statsSource = source;
  }

  /** Marks a running container as exited, as if its process ended. */
  void exitContainer(String id, int exitCode, String reason) {
    containers.computeIfPresent(
        id,
        (k, c) ->
            c.with(ContainerState.CONTAINER_EXITED, c.startedAt(), nanosNow(), exitCode, reason));
  }

  // ---- plumbing ----

  private long nanosNow() {
    Instant now = clock.instant();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  private static io.grpc.StatusRuntimeException notFound(String what, String id) {
    return Status.NOT_FOUND
        .withDescription(
            "an error occurred when try to find " + what + " \"" + id + "\": not found")
        .asRuntimeException();
  }

  private Sandbox sandbox(String id) {
    Sandbox s = sandboxes.get(id);
    if (s == null) {
      throw notFound("sandbox", id);
    }
    return s;
  }

  private Ctr container(String id) {
    Ctr c = containers.get(id);
    if (c == null) {
      throw notFound("container", id);
    }
    return c;
  }

  private String ipOf(Sandbox s) {
    var ns = s.config().getLinux().getSecurityContext().getNamespaceOptions();
    return ns.getNetwork() == NamespaceMode.NODE
        ? ""
        : "10.88.0." + (1 + Integer.parseInt(s.id().substring(3)));
  }

  // ---- one method per RPC ----

  RunPodSandboxResponse runPodSandbox(RunPodSandboxRequest r) {
    var m = r.getConfig().getMetadata();
    for (Sandbox s : sandboxes.values()) {
      var sm = s.config().getMetadata();
      if (sm.getName().equals(m.getName())
          && sm.getNamespace().equals(m.getNamespace())
          && sm.getUid().equals(m.getUid())
          && sm.getAttempt() == m.getAttempt()) {
        throw Status.ALREADY_EXISTS
            .withDescription(
                "failed to reserve sandbox name \""
                    + m.getName()
                    + "_"
                    + m.getNamespace()
                    + "_"
                    + m.getUid()
                    + "_"
                    + m.getAttempt()
                    + "\": name is reserved for \""
                    + s.id()
                    + "\"")
            .asRuntimeException();
      }
    }
    String id = "sb-" + sandboxSeq.incrementAndGet();
    sandboxes.put(
        id,
        new Sandbox(
            id, r.getConfig(), r.getRuntimeHandler(), nanosNow(), PodSandboxState.SANDBOX_READY));
    return RunPodSandboxResponse.newBuilder().setPodSandboxId(id).build();
  }

  StopPodSandboxResponse stopPodSandbox(StopPodSandboxRequest r) {
    Sandbox s = sandbox(r.getPodSandboxId());
    sandboxes.put(
        s.id(),
        new Sandbox(
            s.id(), s.config(), s.handler(), s.createdAt(), PodSandboxState.SANDBOX_NOTREADY));
    containers.replaceAll(
        (k, c) ->
            c.sandboxId().equals(s.id()) && c.state() == ContainerState.CONTAINER_RUNNING
                ? c.with(ContainerState.CONTAINER_EXITED, c.startedAt(), nanosNow(), 137, "Error")
                : c);
    return StopPodSandboxResponse.getDefaultInstance();
  }

  RemovePodSandboxResponse removePodSandbox(RemovePodSandboxRequest r) {
    sandboxes.remove(r.getPodSandboxId());
    containers.values().removeIf(c -> c.sandboxId().equals(r.getPodSandboxId()));
    return RemovePodSandboxResponse.getDefaultInstance();
  }

  PodSandboxStatusResponse podSandboxStatus(PodSandboxStatusRequest r) {
    Sandbox s = sandbox(r.getPodSandboxId());
    var c = s.config();
    var status =
        PodSandboxStatus.newBuilder()
            .setId(s.id())
            .setMetadata(c.getMetadata())
            .setState(s.state())
            .setCreatedAt(s.createdAt())
            .setNetwork(
                PodSandboxNetworkStatus.newBuilder()
                    .setIp(ipOf(s))
                    .addAdditionalIps(PodIP.newBuilder().setIp(ipOf(s).isEmpty() ? "" : "fd00::2")))
            .setLinux(
                LinuxPodSandboxStatus.newBuilder()
                    .setNamespaces(
                        Namespace.newBuilder()
                            .setOptions(c.getLinux().getSecurityContext().getNamespaceOptions())))
            .putAllLabels(c.getLabelsMap())
            .putAllAnnotations(c.getAnnotationsMap())
            .setRuntimeHandler(s.handler());
    var resp = PodSandboxStatusResponse.newBuilder().setStatus(status);
    if (r.getVerbose()) {
      resp.putInfo(
          "info", "{\"pid\":4242,\"cgroupsPath\":\"" + c.getLinux().getCgroupParent() + "\"}");
    }
    return resp.build();
  }

  ListPodSandboxResponse listPodSandbox(ListPodSandboxRequest r) {
    var f = r.getFilter();
    var resp = ListPodSandboxResponse.newBuilder();
    sandboxes.values().stream()
        .filter(s -> f.getId().isEmpty() || s.id().equals(f.getId()))
        .filter(s -> !f.hasState() || s.state() == f.getState().getState())
        .filter(s -> matches(s.config().getLabelsMap(), f.getLabelSelectorMap()))
        .sorted((a, b) -> a.id().compareTo(b.id()))
        .forEach(
            s ->
                resp.addItems(
                    io.berth.cri.v1.PodSandbox.newBuilder()
                        .setId(s.id())
                        .setMetadata(s.config().getMetadata())
                        .setState(s.state())
                        .setCreatedAt(s.createdAt())
                        .putAllLabels(s.config().getLabelsMap())
                        .putAllAnnotations(s.config().getAnnotationsMap())
                        .setRuntimeHandler(s.handler())));
    return resp.build();
  }

  CreateContainerResponse createContainer(CreateContainerRequest r) {
    sandbox(r.getPodSandboxId());
    String id = "ctr-" + containerSeq.incrementAndGet();
    containers.put(
        id,
        new Ctr(
            id,
            r.getPodSandboxId(),
            r.getConfig(),
            nanosNow(),
            ContainerState.CONTAINER_CREATED,
            0,
            0,
            0,
            ""));
    return CreateContainerResponse.newBuilder().setContainerId(id).build();
  }

  StartContainerResponse startContainer(StartContainerRequest r) {
    Ctr c = container(r.getContainerId());
    if (c.state() != ContainerState.CONTAINER_CREATED) {
      throw Status.UNKNOWN
          .withDescription("container \"" + c.id() + "\" is in " + c.state() + " state")
          .asRuntimeException();
    }
    containers.put(c.id(), c.with(ContainerState.CONTAINER_RUNNING, nanosNow(), 0, 0, ""));
    return StartContainerResponse.getDefaultInstance();
  }

  StopContainerResponse stopContainer(StopContainerRequest r) {
    Ctr c = container(r.getContainerId());
    if (c.state() == ContainerState.CONTAINER_RUNNING) {
      containers.put(
          c.id(), c.with(ContainerState.CONTAINER_EXITED, c.startedAt(), nanosNow(), 143, "Error"));
    }
    return StopContainerResponse.getDefaultInstance();
  }

  RemoveContainerResponse removeContainer(RemoveContainerRequest r) {
    containers.remove(r.getContainerId());
    return RemoveContainerResponse.getDefaultInstance();
  }

  ListContainersResponse listContainers(ListContainersRequest r) {
    var f = r.getFilter();
    var resp = ListContainersResponse.newBuilder();
    containers.values().stream()
        .filter(c -> f.getId().isEmpty() || c.id().equals(f.getId()))
        .filter(c -> f.getPodSandboxId().isEmpty() || c.sandboxId().equals(f.getPodSandboxId()))
        .filter(c -> !f.hasState() || c.state() == f.getState().getState())
        .filter(c -> matches(c.config().getLabelsMap(), f.getLabelSelectorMap()))
        .sorted((a, b) -> a.id().compareTo(b.id()))
        .forEach(
            c ->
                resp.addContainers(
                    io.berth.cri.v1.Container.newBuilder()
                        .setId(c.id())
                        .setPodSandboxId(c.sandboxId())
                        .setMetadata(c.config().getMetadata())
                        .setImage(c.config().getImage())
                        .setImageRef(imageRef(c))
                        .setState(c.state())
                        .setCreatedAt(c.createdAt())
                        .putAllLabels(c.config().getLabelsMap())
                        .putAllAnnotations(c.config().getAnnotationsMap())));
    return resp.build();
  }

  ContainerStatusResponse containerStatus(ContainerStatusRequest r) {
    Ctr c = container(r.getContainerId());
    Sandbox s = sandboxes.get(c.sandboxId());
    String logDir = s == null ? "" : s.config().getLogDirectory();
    var status =
        io.berth.cri.v1.ContainerStatus.newBuilder()
            .setId(c.id())
            .setMetadata(c.config().getMetadata())
            .setState(c.state())
            .setCreatedAt(c.createdAt())
            .setStartedAt(c.startedAt())
            .setFinishedAt(c.finishedAt())
            .setExitCode(c.exitCode())
            .setImage(c.config().getImage())
            .setImageRef(imageRef(c))
            .setReason(c.reason())
            .setMessage(c.reason().isEmpty() ? "" : "process exited")
            .putAllLabels(c.config().getLabelsMap())
            .putAllAnnotations(c.config().getAnnotationsMap())
            .addAllMounts(c.config().getMountsList())
            .setLogPath(
                c.config().getLogPath().isEmpty() ? "" : logDir + "/" + c.config().getLogPath());
    if (c.config().getLinux().hasResources()) {
      status.setResources(
          ContainerResources.newBuilder().setLinux(c.config().getLinux().getResources()));
    }
    var resp = ContainerStatusResponse.newBuilder().setStatus(status);
    if (r.getVerbose()) {
      resp.putInfo("info", "{\"pid\":4343}");
    }
    return resp.build();
  }

  UpdateContainerResourcesResponse updateContainerResources(UpdateContainerResourcesRequest r) {
    Ctr c = container(r.getContainerId());
    var config = c.config().toBuilder();
    config.getLinuxBuilder().setResources(r.getLinux());
    containers.put(
        c.id(),
        new Ctr(
            c.id(),
            c.sandboxId(),
            config.build(),
            c.createdAt(),
            c.state(),
            c.startedAt(),
            c.finishedAt(),
            c.exitCode(),
            c.reason()));
    return UpdateContainerResourcesResponse.getDefaultInstance();
  }

  ReopenContainerLogResponse reopenContainerLog(ReopenContainerLogRequest r) {
    if (container(r.getContainerId()).state() != ContainerState.CONTAINER_RUNNING) {
      throw Status.FAILED_PRECONDITION
          .withDescription("container is not running")
          .asRuntimeException();
    }
    return ReopenContainerLogResponse.getDefaultInstance();
  }

  ExecSyncResponse execSync(ExecSyncRequest r) {
    container(r.getContainerId());
    return execHandler.apply(r);
  }

  ExecResponse exec(ExecRequest r) {
    container(r.getContainerId());
    return ExecResponse.newBuilder()
        .setUrl("http://127.0.0.1:10010/exec/tok-" + r.getContainerId())
        .build();
  }

  AttachResponse attach(AttachRequest r) {
    container(r.getContainerId());
    return AttachResponse.newBuilder()
        .setUrl("http://127.0.0.1:10010/attach/tok-" + r.getContainerId())
        .build();
  }

  PortForwardResponse portForward(PortForwardRequest r) {
    sandbox(r.getPodSandboxId());
    return PortForwardResponse.newBuilder()
        .setUrl("http://127.0.0.1:10010/portforward/tok-" + r.getPodSandboxId())
        .build();
  }

  ContainerStatsResponse containerStats(ContainerStatsRequest r) {
    return ContainerStatsResponse.newBuilder()
        .setStats(statsOf(container(r.getContainerId())))
        .build();
  }

  ListContainerStatsResponse listContainerStats(ListContainerStatsRequest r) {
    var f = r.getFilter();
    var resp = ListContainerStatsResponse.newBuilder();
    containers.values().stream()
        .filter(c -> f.getId().isEmpty() || c.id().equals(f.getId()))
        .filter(c -> f.getPodSandboxId().isEmpty() || c.sandboxId().equals(f.getPodSandboxId()))
        .filter(c -> matches(c.config().getLabelsMap(), f.getLabelSelectorMap()))
        .sorted((a, b) -> a.id().compareTo(b.id()))
        .forEach(c -> resp.addStats(statsOf(c)));
    return resp.build();
  }

  PodSandboxStatsResponse podSandboxStats(PodSandboxStatsRequest r) {
    return PodSandboxStatsResponse.newBuilder()
        .setStats(sandboxStats(sandbox(r.getPodSandboxId())))
        .build();
  }

  ListPodSandboxStatsResponse listPodSandboxStats(ListPodSandboxStatsRequest r) {
    var f = r.getFilter();
    var resp = ListPodSandboxStatsResponse.newBuilder();
    sandboxes.values().stream()
        .filter(s -> f.getId().isEmpty() || s.id().equals(f.getId()))
        .filter(s -> matches(s.config().getLabelsMap(), f.getLabelSelectorMap()))
        .sorted((a, b) -> a.id().compareTo(b.id()))
        .forEach(s -> resp.addStats(sandboxStats(s)));
    return resp.build();
  }

  UpdateRuntimeConfigResponse updateRuntimeConfig(UpdateRuntimeConfigRequest r) {
    return UpdateRuntimeConfigResponse.getDefaultInstance();
  }

  StatusResponse status(StatusRequest r) {
    var resp =
        StatusResponse.newBuilder()
            .setStatus(
                RuntimeStatus.newBuilder()
                    .addConditions(
                        RuntimeCondition.newBuilder().setType("RuntimeReady").setStatus(true))
                    .addConditions(
                        RuntimeCondition.newBuilder()
                            .setType("NetworkReady")
                            .setStatus(false)
                            .setReason("NetworkPluginNotReady")
                            .setMessage(
                                "Network plugin returns error: cni plugin not initialized")));
    if (r.getVerbose()) {
      resp.putInfo("config", "{\"cni\":{}}");
    }
    return resp.build();
  }

  static boolean matches(Map<String, String> labels, Map<String, String> selector) {
    return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }

  private static String imageRef(Ctr c) {
    return "sha256:" + Integer.toHexString(c.config().getImage().getImage().hashCode());
  }

  private ContainerStats statsOf(Ctr c) {
    var stats = statsSource.apply(c.id()).toBuilder();
    stats.setAttributes(
        ContainerAttributes.newBuilder()
            .setId(c.id())
            .setMetadata(c.config().getMetadata())
            .putAllLabels(c.config().getLabelsMap())
            .putAllAnnotations(c.config().getAnnotationsMap()));
    return stats.build();
  }

  private io.berth.cri.v1.PodSandboxStats sandboxStats(Sandbox s) {
    var linux = FakeStats.sandboxLinux().toBuilder();
    containers.values().stream()
        .filter(c -> c.sandboxId().equals(s.id()))
        .sorted((a, b) -> a.id().compareTo(b.id()))
        .forEach(c -> linux.addContainers(statsOf(c)));
    return io.berth.cri.v1.PodSandboxStats.newBuilder()
        .setAttributes(
            PodSandboxAttributes.newBuilder()
                .setId(s.id())
                .setMetadata(s.config().getMetadata())
                .putAllLabels(s.config().getLabelsMap())
                .putAllAnnotations(s.config().getAnnotationsMap()))
        .setLinux(linux)
        .build();
  }
}
