package io.berth.agent.nodeconfig;

import java.util.List;

/**
 * berth's whole node configuration: the kubelet part and the proxy part, plus what loading it
 * warned about.
 *
 * @param warnings fields that were ignored (not supported by berth, or unknown), with their paths
 * @param shutdown the KubeletConfiguration's graceful node shutdown fields
 */
public record BerthConfig(
    KubeletConfig kubelet,
    KubeProxyConfig proxy,
    List<ConfigProblem> warnings,
    NodeShutdownConfig shutdown) {
  public BerthConfig {
    warnings = List.copyOf(warnings);
    shutdown = shutdown == null ? NodeShutdownConfig.defaults() : shutdown;
  }

  public BerthConfig(KubeletConfig kubelet, KubeProxyConfig proxy, List<ConfigProblem> warnings) {
    this(kubelet, proxy, warnings, null);
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
