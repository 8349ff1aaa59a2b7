package io.berth.cri;

import java.time.Duration;
import java.util.List;

/**
 * The CRI {@code runtime.v1.RuntimeService}: sandboxes, containers, exec, stats, runtime status.
 *
 * <p>Every method is a blocking call with a deadline (see {@link CriOptions}) and throws a {@link
 * CriException} subtype on failure. Implementations are thread-safe.
 */
public interface RuntimeService {
  /** Version of the runtime and of the CRI API it serves. */
  VersionInfo version();

  /** Runs a pod sandbox with the runtime's default handler; returns the sandbox id. */
  default String runPodSandbox(PodSandboxConfig config) {
    return runPodSandbox(config, "");
  }

  /** Runs a pod sandbox with a named runtime handler (RuntimeClass); returns the sandbox id. */
  String runPodSandbox(PodSandboxConfig config, String runtimeHandler);

  /** Stops a sandbox and its containers; idempotent. */
  void stopPodSandbox(String podSandboxId);

  /** Removes a sandbox and its containers; idempotent. */
  void removePodSandbox(String podSandboxId);

  PodSandboxStatus podSandboxStatus(String podSandboxId, boolean verbose);

  default PodSandboxStatus podSandboxStatus(String podSandboxId) {
    return podSandboxStatus(podSandboxId, false);
  }

  List<PodSandbox> listPodSandbox(PodSandboxFilter filter);

  /** Creates a container in a sandbox; the sandbox config is the one the sandbox was run with. */
  String createContainer(String podSandboxId, ContainerConfig config, PodSandboxConfig sandbox);

  void startContainer(String containerId);

  /** Stops a container, killing it after {@code gracePeriod} (whole seconds); idempotent. */
  void stopContainer(String containerId, Duration gracePeriod);

  /** Removes a container; idempotent. */
  void removeContainer(String containerId);

  List<Container> listContainers(ContainerFilter filter);

  ContainerStatus containerStatus(String containerId, boolean verbose);

  default ContainerStatus containerStatus(String containerId) {
    return containerStatus(containerId, false);
  }

  void updateContainerResources(String containerId, LinuxContainerResources resources);

  /** Asks the runtime to reopen the container's log file (after rotation). */
  void reopenContainerLog(String containerId);

  /**
   * Runs a command in a container and waits for it. The command is killed after {@code timeout}
   * (whole seconds; zero means no command timeout — then the call deadline is the request timeout).
   */
  ExecSyncResult execSync(String containerId, List<String> cmd, Duration timeout);

  /** Prepares a streaming exec session; the caller connects to the returned URL. */
  StreamingUrl exec(StreamingRequest request);

  /** Prepares a streaming attach session; {@code request.cmd()} is ignored. */
  StreamingUrl attach(StreamingRequest request);

  StreamingUrl portForward(String podSandboxId, List<Integer> ports);

  ContainerStats containerStats(String containerId);

  List<ContainerStats> listContainerStats(ContainerStatsFilter filter);

  PodSandboxStats podSandboxStats(String podSandboxId);

  List<PodSandboxStats> listPodSandboxStats(PodSandboxStatsFilter filter);

  /** Tells the runtime the node's pod CIDR. */
  void updateRuntimeConfig(String podCidr);

  RuntimeStatus status(boolean verbose);

  default RuntimeStatus status() {
    return status(false);
  }
}
