package io.berth.cri.internal;

import io.berth.cri.Container;
import io.berth.cri.ContainerConfig;
import io.berth.cri.ContainerFilter;
import io.berth.cri.ContainerStats;
import io.berth.cri.ContainerStatsFilter;
import io.berth.cri.ContainerStatus;
import io.berth.cri.ExecSyncResult;
import io.berth.cri.LinuxContainerResources;
import io.berth.cri.PodSandbox;
import io.berth.cri.PodSandboxConfig;
import io.berth.cri.PodSandboxFilter;
import io.berth.cri.PodSandboxStats;
import io.berth.cri.PodSandboxStatsFilter;
import io.berth.cri.PodSandboxStatus;
import io.berth.cri.RuntimeService;
import io.berth.cri.RuntimeStatus;
import io.berth.cri.StreamingRequest;
import io.berth.cri.StreamingUrl;
import io.berth.cri.VersionInfo;
import io.berth.cri.internal.CallPolicy.Retry;
import io.berth.cri.v1.ContainerStatsRequest;
import io.berth.cri.v1.ContainerStatusRequest;
import io.berth.cri.v1.CreateContainerRequest;
import io.berth.cri.v1.ExecSyncRequest;
import io.berth.cri.v1.ListContainerStatsRequest;
import io.berth.cri.v1.ListContainersRequest;
import io.berth.cri.v1.ListPodSandboxRequest;
import io.berth.cri.v1.ListPodSandboxStatsRequest;
import io.berth.cri.v1.NetworkConfig;
import io.berth.cri.v1.PodSandboxStatsRequest;
import io.berth.cri.v1.PodSandboxStatusRequest;
import io.berth.cri.v1.PortForwardRequest;
import io.berth.cri.v1.RemoveContainerRequest;
import io.berth.cri.v1.RemovePodSandboxRequest;
import io.berth.cri.v1.ReopenContainerLogRequest;
import io.berth.cri.v1.RunPodSandboxRequest;
import io.berth.cri.v1.RuntimeConfig;
import io.berth.cri.v1.RuntimeServiceGrpc;
import io.berth.cri.v1.RuntimeServiceGrpc.RuntimeServiceBlockingStub;
import io.berth.cri.v1.StartContainerRequest;
import io.berth.cri.v1.StatusRequest;
import io.berth.cri.v1.StopContainerRequest;
import io.berth.cri.v1.StopPodSandboxRequest;
import io.berth.cri.v1.UpdateContainerResourcesRequest;
import io.berth.cri.v1.UpdateRuntimeConfigRequest;
import io.berth.cri.v1.VersionRequest;
import io.grpc.Channel;
import java.time.Duration;
import java.util.List;

/**
 * {@link RuntimeService} over gRPC. Reads (status, list, stats, version) use the short status
 * deadline and are retried once after a reconnect; mutations use the request deadline and are never
 * retried.
 *
 * <p>Thread safety: thread-safe (stateless over a thread-safe channel).
 */
public final class GrpcRuntimeService implements RuntimeService {
  /** The API version the kubelet announces in {@code Version}. */
  static final String KUBELET_API_VERSION = "0.1.0";

  private final RuntimeServiceBlockingStub stub;
  private final CallPolicy calls;
  private final Duration request;
  private final Duration read;

  GrpcRuntimeService(Channel channel, CallPolicy calls) {
    this.stub = RuntimeServiceGrpc.newBlockingStub(channel);
    this.calls = calls;
    this.request = calls.options().requestTimeout();
    this.read = calls.options().statusTimeout();
  }

  @Override
  public VersionInfo version() {
    return ImageMapping.version(
        calls.call(
            stub,
            "Version",
            "",
            read,
            Retry.IDEMPOTENT,
            s -> s.version(VersionRequest.newBuilder().setVersion(KUBELET_API_VERSION).build())));
  }

  @Override
  public String runPodSandbox(PodSandboxConfig config, String runtimeHandler) {
    var m = config.metadata();
    String subject = m.namespace() + "/" + m.name() + " (uid " + m.uid() + ")";
    var req =
        RunPodSandboxRequest.newBuilder()
            .setConfig(SandboxMapping.toProto(config))
            .setRuntimeHandler(runtimeHandler == null ? "" : runtimeHandler)
            .build();
    return calls
        .call(stub, "RunPodSandbox", subject, request, Retry.ONCE, s -> s.runPodSandbox(req))
        .getPodSandboxId();
  }

  @Override
  public void stopPodSandbox(String podSandboxId) {
    var req = StopPodSandboxRequest.newBuilder().setPodSandboxId(podSandboxId).build();
    calls.call(
        stub, "StopPodSandbox", podSandboxId, request, Retry.ONCE, s -> s.stopPodSandbox(req));
  }

  @Override
  public void removePodSandbox(String podSandboxId) {
    var req = RemovePodSandboxRequest.newBuilder().setPodSandboxId(podSandboxId).build();
    calls.call(
        stub, "RemovePodSandbox", podSandboxId, request, Retry.ONCE, s -> s.removePodSandbox(req));
  }

  @Override
  public PodSandboxStatus podSandboxStatus(String podSandboxId, boolean verbose) {
    var req =
        PodSandboxStatusRequest.newBuilder()
            .setPodSandboxId(podSandboxId)
            .setVerbose(verbose)
            .build();
    return SandboxMapping.sandboxStatus(
        calls.call(
            stub,
            "PodSandboxStatus",
            podSandboxId,
            read,
            Retry.IDEMPOTENT,
            s -> s.podSandboxStatus(req)));
  }

  @Override
  public List<PodSandbox> listPodSandbox(PodSandboxFilter filter) {
    var req = ListPodSandboxRequest.newBuilder();
    if (filter != null) {
      req.setFilter(SandboxMapping.toProto(filter));
    }
    return calls
        .call(
            stub, "ListPodSandbox", "", read, Retry.IDEMPOTENT, s -> s.listPodSandbox(req.build()))
        .getItemsList()
        .stream()
        .map(SandboxMapping::podSandbox)
        .toList();
  }

  @Override
  public String createContainer(
      String podSandboxId, ContainerConfig config, PodSandboxConfig sandbox) {
    var req =
        CreateContainerRequest.newBuilder()
            .setPodSandboxId(podSandboxId)
            .setConfig(ContainerMapping.toProto(config));
    if (sandbox != null) {
      req.setSandboxConfig(SandboxMapping.toProto(sandbox));
    }
    String subject = config.metadata().name() + " in sandbox " + podSandboxId;
    return calls
        .call(
            stub,
            "CreateContainer",
            subject,
            request,
            Retry.ONCE,
            s -> s.createContainer(req.build()))
        .getContainerId();
  }

  @Override
  public void startContainer(String containerId) {
    var req = StartContainerRequest.newBuilder().setContainerId(containerId).build();
    calls.call(
        stub, "StartContainer", containerId, request, Retry.ONCE, s -> s.startContainer(req));
  }

  @Override
  public void stopContainer(String containerId, Duration gracePeriod) {
    long seconds = Durations.ceilSeconds(gracePeriod);
    var req =
        StopContainerRequest.newBuilder().setContainerId(containerId).setTimeout(seconds).build();
    // Like the kubelet: the call may take the whole grace period plus the request timeout.
    Duration deadline = request.plusSeconds(seconds);
    calls.call(stub, "StopContainer", containerId, deadline, Retry.ONCE, s -> s.stopContainer(req));
  }

  @Override
  public void removeContainer(String containerId) {
    var req = RemoveContainerRequest.newBuilder().setContainerId(containerId).build();
    calls.call(
        stub, "RemoveContainer", containerId, request, Retry.ONCE, s -> s.removeContainer(req));
  }

  @Override
  public List<Container> listContainers(ContainerFilter filter) {
    var req = ListContainersRequest.newBuilder();
    if (filter != null) {
      req.setFilter(ContainerMapping.toProto(filter));
    }
    return calls
        .call(
            stub, "ListContainers", "", read, Retry.IDEMPOTENT, s -> s.listContainers(req.build()))
        .getContainersList()
        .stream()
        .map(ContainerMapping::container)
        .toList();
  }

  @Override
  public ContainerStatus containerStatus(String containerId, boolean verbose) {
    var req =
        ContainerStatusRequest.newBuilder().setContainerId(containerId).setVerbose(verbose).build();
    return ContainerMapping.containerStatus(
        calls.call(
            stub,
            "ContainerStatus",
            containerId,
            read,
            Retry.IDEMPOTENT,
            s -> s.containerStatus(req)));
  }

  @Override
  public void updateContainerResources(String containerId, LinuxContainerResources resources) {
    var req =
        UpdateContainerResourcesRequest.newBuilder()
            .setContainerId(containerId)
            .setLinux(CommonMapping.toProto(resources))
            .build();
    calls.call(
        stub,
        "UpdateContainerResources",
        containerId,
        request,
        Retry.ONCE,
        s -> s.updateContainerResources(req));
  }

  @Override
  public void reopenContainerLog(String containerId) {
    var req = ReopenContainerLogRequest.newBuilder().setContainerId(containerId).build();
    calls.call(
        stub,
        "ReopenContainerLog",
        containerId,
        request,
        Retry.ONCE,
        s -> s.reopenContainerLog(req));
  }

  @Override
  public ExecSyncResult execSync(String containerId, List<String> cmd, Duration timeout) {
    long seconds = Durations.ceilSeconds(timeout);
    var req =
        ExecSyncRequest.newBuilder()
            .setContainerId(containerId)
            .addAllCmd(cmd)
            .setTimeout(seconds)
            .build();
    Duration deadline =
        seconds == 0 ? request : Duration.ofSeconds(seconds).plus(calls.options().execSyncMargin());
    return ContainerMapping.execSyncResult(
        calls.call(stub, "ExecSync", containerId, deadline, Retry.ONCE, s -> s.execSync(req)));
  }

  @Override
  public StreamingUrl exec(StreamingRequest r) {
    var req = ContainerMapping.toExec(r);
    return new StreamingUrl(
        calls.call(stub, "Exec", r.containerId(), request, Retry.ONCE, s -> s.exec(req)).getUrl());
  }

  @Override
  public StreamingUrl attach(StreamingRequest r) {
    var req = ContainerMapping.toAttach(r);
    return new StreamingUrl(
        calls
            .call(stub, "Attach", r.containerId(), request, Retry.ONCE, s -> s.attach(req))
            .getUrl());
  }

  @Override
  public StreamingUrl portForward(String podSandboxId, List<Integer> ports) {
    var req =
        PortForwardRequest.newBuilder().setPodSandboxId(podSandboxId).addAllPort(ports).build();
    return new StreamingUrl(
        calls
            .call(stub, "PortForward", podSandboxId, request, Retry.ONCE, s -> s.portForward(req))
            .getUrl());
  }

  @Override
  public ContainerStats containerStats(String containerId) {
    var req = ContainerStatsRequest.newBuilder().setContainerId(containerId).build();
    return StatsMapping.containerStats(
        calls
            .call(
                stub,
                "ContainerStats",
                containerId,
                read,
                Retry.IDEMPOTENT,
                s -> s.containerStats(req))
            .getStats());
  }

  @Override
  public List<ContainerStats> listContainerStats(ContainerStatsFilter filter) {
    var req = ListContainerStatsRequest.newBuilder();
    if (filter != null) {
      req.setFilter(StatsMapping.toProto(filter));
    }
    return calls
        .call(
            stub,
            "ListContainerStats",
            "",
            read,
            Retry.IDEMPOTENT,
            s -> s.listContainerStats(req.build()))
        .getStatsList()
        .stream()
        .map(StatsMapping::containerStats)
        .toList();
  }

  @Override
  public PodSandboxStats podSandboxStats(String podSandboxId) {
    var req = PodSandboxStatsRequest.newBuilder().setPodSandboxId(podSandboxId).build();
    return StatsMapping.podSandboxStats(
        calls
            .call(
                stub,
                "PodSandboxStats",
                podSandboxId,
                read,
                Retry.IDEMPOTENT,
                s -> s.podSandboxStats(req))
            .getStats());
  }

  @Override
  public List<PodSandboxStats> listPodSandboxStats(PodSandboxStatsFilter filter) {
    var req = ListPodSandboxStatsRequest.newBuilder();
    if (filter != null) {
      req.setFilter(StatsMapping.toProto(filter));
    }
    return calls
        .call(
            stub,
            "ListPodSandboxStats",
            "",
            read,
            Retry.IDEMPOTENT,
            s -> s.listPodSandboxStats(req.build()))
        .getStatsList()
        .stream()
        .map(StatsMapping::podSandboxStats)
        .toList();
  }

  @Override
  public void updateRuntimeConfig(String podCidr) {
    var req =
        UpdateRuntimeConfigRequest.newBuilder()
            .setRuntimeConfig(
                RuntimeConfig.newBuilder()
                    .setNetworkConfig(NetworkConfig.newBuilder().setPodCidr(podCidr)))
            .build();
    calls.call(
        stub,
        "UpdateRuntimeConfig",
        podCidr,
        request,
        Retry.IDEMPOTENT,
        s -> s.updateRuntimeConfig(req));
  }

  @Override
  public RuntimeStatus status(boolean verbose) {
    var req = StatusRequest.newBuilder().setVerbose(verbose).build();
    return ImageMapping.runtimeStatus(
        calls.call(stub, "Status", "", read, Retry.IDEMPOTENT, s -> s.status(req)));
  }
}
