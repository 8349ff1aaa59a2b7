package io.berth.agent.nodeconfig;

/**
 * One finding about a configuration file: a field path ({@code KubeletConfiguration.staticPodPath},
 * {@code KubeProxyConfiguration.nftables.syncPeriod}) and what is wrong or ignored there.
 */
public record ConfigProblem(String path, String message) {
  @Override
  public String toString() {
    return path + ": " + message;
  }
}
