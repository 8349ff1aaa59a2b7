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
 */
public record BerthConfig(
    KubeletConfig kubelet,
    KubeProxyConfig proxy,
    List<ConfigProblem> warnings,
    NodeRegistration node,
    NodeShutdownConfig shutdown) {
  public BerthConfig {
    warnings = List.copyOf(warnings);
    node = node == null ? NodeRegistration.defaults() : node;
    shutdown = shutdown == null ? NodeShutdownConfig.defaults() : shutdown;
  }

  /** With the default node registration (no taints, no reservations) and no node shutdown. */
  public BerthConfig(KubeletConfig kubelet, KubeProxyConfig proxy, List<ConfigProblem> warnings) {
    this(kubelet, proxy, warnings, null, null);
  }

  /** Every default: what berth runs with when there is no config file and no flag. */
  public static BerthConfig defaults() {
    return new BerthConfig(KubeletConfig.defaults(), KubeProxyConfig.defaults(), List.of());
  }

  /** The two YAML documents of {@code berth config print-defaults}, or of this configuration. */
  public String toYaml() {
    return kubelet.toYaml() + shutdown.toYaml() + "---\n" + proxy.toYaml();
  }
}
