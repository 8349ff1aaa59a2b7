package io.berth.cri.fake;

import io.berth.cri.v1.*;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.function.Function;

/**
 * An in-memory CRI {@code runtime.v1.RuntimeService}: a working fake (sandboxes and containers have
 * state and move through it, see {@link FakeRuntimeState}), not a mock. Through {@link #calls()}
 * tests can read the requests it received and the deadlines they carried, make the next call of an
 * RPC fail, or delay an RPC.
 *
 * <p>Sandbox ids are {@code sb-1, sb-2, …}, container ids {@code ctr-1, …}; the n-th sandbox gets
 * IP {@code 10.88.0.(n+1)} unless it uses the node network. Times come from the injected clock;
 * stats are the fixed numbers of {@link FakeStats}.
 *
 * <p>Thread safety: thread-safe.
 */
public final class FakeRuntimeService extends RuntimeServiceGrpc.RuntimeServiceImplBase {
  private final CallRecorder calls = new CallRecorder();
  private final FakeRuntimeState state;
  private volatile VersionResponse version =
      VersionResponse.newBuilder()
          .setVersion("0.1.0")
          .setRuntimeName("fake-cri")
          .setRuntimeVersion("1.0.0")
          .setRuntimeApiVersion("v1")
          .build();

  public FakeRuntimeService(Clock clock) {
    this.state = new FakeRuntimeState(clock);
  }

  /** Requests received, deadlines seen, failures and delays to inject. */
  public CallRecorder calls() {
    return calls;
  }

  /** What {@code Version} answers (e.g. a runtime that reports {@code v1alpha2}). */
  public void setVersion(VersionResponse value) {
    this.version = value;
  }

  /** What {@code ExecSync} answers; by default the command line echoed on stdout, exit 0. */
  public void setExecHandler(Function<ExecSyncRequest, ExecSyncResponse> handler) {
    state.setExecHandler(handler);
  }

  /** Where container stats come from; by default {@link FakeStats#container}. */
  public void setStatsSource(Function<String, ContainerStats> source) {
    state.setStatsSource(source);
  }

  /** Marks a running container as exited, as if its process ended. */
  public void exitContainer(String id, int exitCode, String reason) {
    state.exitContainer(id, exitCode, reason);
  }

  @Override
  public void version(VersionRequest r, StreamObserver<VersionResponse> out) {
    calls.handle("Version", r, out, () -> version);
  }

  @Override
  public void runPodSandbox(RunPodSandboxRequest r, StreamObserver<RunPodSandboxResponse> out) {
    calls.handle("RunPodSandbox", r, out, () -> state.runPodSandbox(r));
  }

  @Override
  public void stopPodSandbox(StopPodSandboxRequest r, StreamObserver<StopPodSandboxResponse> out) {
    calls.handle("StopPodSandbox", r, out, () -> state.stopPodSandbox(r));
  }

  @Override
  public void removePodSandbox(
      RemovePodSandboxRequest r, StreamObserver<RemovePodSandboxResponse> out) {
    calls.handle("RemovePodSandbox", r, out, () -> state.removePodSandbox(r));
  }

  @Override
  public void podSandboxStatus(
      PodSandboxStatusRequest r, StreamObserver<PodSandboxStatusResponse> out) {
    calls.handle("PodSandboxStatus", r, out, () -> state.podSandboxStatus(r));
  }

  @Override
  public void listPodSandbox(ListPodSandboxRequest r, StreamObserver<ListPodSandboxResponse> out) {
    calls.handle("ListPodSandbox", r, out, () -> state.listPodSandbox(r));
  }

  @Override
  public void createContainer(
      CreateContainerRequest r, StreamObserver<CreateContainerResponse> out) {
    calls.handle("CreateContainer", r, out, () -> state.createContainer(r));
  }

  @Override
  public void startContainer(StartContainerRequest r, StreamObserver<StartContainerResponse> out) {
    calls.handle("StartContainer", r, out, () -> state.startContainer(r));
  }

  @Override
  public void stopContainer(StopContainerRequest r, StreamObserver<StopContainerResponse> out) {
    calls.handle("StopContainer", r, out, () -> state.stopContainer(r));
  }

  @Override
  public void removeContainer(
      RemoveContainerRequest r, StreamObserver<RemoveContainerResponse> out) {
    calls.handle("RemoveContainer", r, out, () -> state.removeContainer(r));
  }

  @Override
  public void listContainers(ListContainersRequest r, StreamObserver<ListContainersResponse> out) {
    calls.handle("ListContainers", r, out, () -> state.listContainers(r));
  }

  @Override
  public void containerStatus(
      ContainerStatusRequest r, StreamObserver<ContainerStatusResponse> out) {
    calls.handle("ContainerStatus", r, out, () -> state.containerStatus(r));
  }

  @Override
  public void updateContainerResources(
      UpdateContainerResourcesRequest r, StreamObserver<UpdateContainerResourcesResponse> out) {
    calls.handle("UpdateContainerResources", r, out, () -> state.updateContainerResources(r));
  }

  @Override
  public void reopenContainerLog(
      ReopenContainerLogRequest r, StreamObserver<ReopenContainerLogResponse> out) {
    calls.handle("ReopenContainerLog", r, out, () -> state.reopenContainerLog(r));
  }

  @Override
  public void execSync(ExecSyncRequest r, StreamObserver<ExecSyncResponse> out) {
    calls.handle("ExecSync", r, out, () -> state.execSync(r));
  }

  @Override
  public void exec(ExecRequest r, StreamObserver<ExecResponse> out) {
    calls.handle("Exec", r, out, () -> state.exec(r));
  }

  @Override
  public void attach(AttachRequest r, StreamObserver<AttachResponse> out) {
    calls.handle("Attach", r, out, () -> state.attach(r));
  }

  @Override
  public void portForward(PortForwardRequest r, StreamObserver<PortForwardResponse> out) {
    calls.handle("PortForward", r, out, () -> state.portForward(r));
  }

  @Override
  public void containerStats(ContainerStatsRequest r, StreamObserver<ContainerStatsResponse> out) {
    calls.handle("ContainerStats", r, out, () -> state.containerStats(r));
  }

  @Override
  public void listContainerStats(
      ListContainerStatsRequest r, StreamObserver<ListContainerStatsResponse> out) {
    calls.handle("ListContainerStats", r, out, () -> state.listContainerStats(r));
  }

  @Override
  public void podSandboxStats(
      PodSandboxStatsRequest r, StreamObserver<PodSandboxStatsResponse> out) {
    calls.handle("PodSandboxStats", r, out, () -> state.podSandboxStats(r));
  }

  @Override
  public void listPodSandboxStats(
      ListPodSandboxStatsRequest r, StreamObserver<ListPodSandboxStatsResponse> out) {
    calls.handle("ListPodSandboxStats", r, out, () -> state.listPodSandboxStats(r));
  }

  @Override
  public void updateRuntimeConfig(
      UpdateRuntimeConfigRequest r, StreamObserver<UpdateRuntimeConfigResponse> out) {
    calls.handle("UpdateRuntimeConfig", r, out, () -> state.updateRuntimeConfig(r));
  }

  @Override
  public void status(StatusRequest r, StreamObserver<StatusResponse> out) {
    calls.handle("Status", r, out, () -> state.status(r));
  }
}
