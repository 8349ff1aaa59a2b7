package io.berth.agent.nodeconfig;

import io.berth.agent.node.NodeRegistration;
import java.util.List;

/**
 * berth's whole node configuration: the kubelet part and the proxy part, plus what loading it
 * warned about.
 *
 * @param warnings fields that were ignored (not supported by berth, or unknown), with their paths
 * @param node the KubeletConfiguration's node registration fields (taints, labels, reservations)
 * @param shutdown the KubeletConfiguration's graceful node shutdown fields
 * @param nodeServer the KubeletConfiguration's secure-server (node API) fields
 * @param containerLogs the KubeletConfiguration's container log rotation fields
 * @param imageGc the KubeletConfiguration's image garbage collection fields
 * @param apiServer the KubeletConfiguration's node status, lease and API client rate fields
 */
public record BerthConfig(
    KubeletConfig kubelet,
    KubeProxyConfig proxy,
    List<ConfigProblem> warnings,
    NodeRegistration node,
    NodeShutdownConfig shutdown,
    NodeServerConfig nodeServer,
    ContainerLogConfig containerLogs,
    ImageGcConfig imageGc,
    ApiServerTuning apiServer) {
  public BerthConfig {
    warnings = List.copyOf(warnings);
    node = node == null ? NodeRegistration.defaults() : node;
    shutdown = shutdown == null ? NodeShutdownConfig.defaults() : shutdown;
    nodeServer = nodeServer == null ? NodeServerConfig.defaults() : nodeServer;
    containerLogs = containerLogs == null ? ContainerLogConfig.defaults() : containerLogs;
    imageGc = imageGc == null ? ImageGcConfig.defaults() : imageGc;
    apiServer = apiServer == null ? ApiServerTuning.defaults() : apiServer;
  }

  /** With the node API, container log, image GC and API-server tuning fields at their defaults. */
  public BerthConfig(
      KubeletConfig kubelet,
      KubeProxyConfig proxy,
      List<ConfigProblem> warnings,
      NodeRegistration node,
      NodeShutdownConfig shutdown) {
    this(kubelet, proxy, warnings, node, shutdown, null, null, null, null);
  }

  /** With the default node registration (no taints, no reservations) and no node shutdown. */
  public BerthConfig(KubeletConfig kubelet, KubeProxyConfig proxy, List<ConfigProblem> warnings) {
    this(kubelet, proxy, warnings, null, null, null, null, null, null);
  }

  /** Every default: what berth runs with when there is no config file and no flag. */
  public static BerthConfig defaults() {
    return new BerthConfig(KubeletConfig.defaults(), KubeProxyConfig.defaults(), List.of());
  }

  /** The two YAML documents of {@code berth config print-defaults}, or of this configuration. */
  public String toYaml() {
    return kubelet.toYaml()
        + containerLogs.toYaml()
        + imageGc.toYaml()
        + apiServer.toYaml()
        + nodeServer.toYaml()
        + shutdown.toYaml()
        + "---\n"
        + proxy.toYaml();
  }
}
