package io.berth.agent.kuberuntime;

import io.berth.cri.DnsConfig;
import java.util.List;

/**
 * Node-wide settings of the runtime manager (the kubelet's flags/config for them).
 *
 * @param podLogsRoot directory of pod log directories ({@code /var/log/pods})
 * @param cgroups pod cgroup naming (root {@code /kubepods})
 * @param clusterDns cluster DNS server IPs ({@code clusterDNS}); empty: ClusterFirst pods fall back
 *     to the host's DNS, as the kubelet does
 * @param clusterDomain cluster domain ({@code cluster.local}); empty for none
 * @param hostDns the node's resolv.conf (servers, searches, options) as parsed from the kubelet's
 *     {@code resolvConf}; {@code null} means resolvConf is "" (pods get 127.0.0.1 and search ".")
 */
public record RuntimeSettings(
    String podLogsRoot,
    CgroupNames cgroups,
    List<String> clusterDns,
    String clusterDomain,
    DnsConfig hostDns) {
  public static final String DEFAULT_POD_LOGS_ROOT = "/var/log/pods";

  public RuntimeSettings {
    podLogsRoot =
        podLogsRoot == null || podLogsRoot.isEmpty() ? DEFAULT_POD_LOGS_ROOT : podLogsRoot;
    cgroups = cgroups == null ? CgroupNames.defaults() : cgroups;
    clusterDns = clusterDns == null ? List.of() : List.copyOf(clusterDns);
    clusterDomain = clusterDomain == null ? "" : clusterDomain;
  }

  /** Defaults: /var/log/pods, /kubepods, no cluster DNS, the given host DNS. */
  public static RuntimeSettings defaults(DnsConfig hostDns) {
    return new RuntimeSettings(null, null, List.of(), "cluster.local", hostDns);
  }
}
