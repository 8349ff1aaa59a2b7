package io.berth.agent.volume;

import io.berth.agent.kuberuntime.SandboxConfigs;
import io.fabric8.kubernetes.api.model.HostAlias;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.util.List;

/**
 * The kubelet-managed {@code /etc/hosts} of a pod ({@code managedHostsFileContent}): localhost
 * lines, the pod's IPs with its hostname (fully qualified when it has a subdomain), then its {@code
 * hostAliases}. A hostNetwork pod gets the node's hosts file plus its aliases instead.
 */
public final class HostsFile {
  private HostsFile() {}

  /** The file for a pod with its own network namespace. */
  public static String managed(Pod pod, List<String> podIps, String clusterDomain) {
    StringBuilder b = new StringBuilder();
    b.append("# Kubernetes-managed hosts file.\n")
        .append("127.0.0.1\tlocalhost\n")
        .append("::1\tlocalhost ip6-localhost ip6-loopback\n")
        .append("fe00::0\tip6-localnet\n")
        .append("fe00::0\tip6-mcastprefix\n")
        .append("fe00::1\tip6-allnodes\n")
        .append("fe00::2\tip6-allrouters\n");
    PodSpec spec = pod.getSpec();
    String hostname = hostname(pod);
    String subdomain = spec.getSubdomain();
    for (String ip : podIps) {
      if (subdomain != null
          && !subdomain.isEmpty()
          && clusterDomain != null
          && !clusterDomain.isEmpty()) {
        String fqdn =
            hostname
                + "."
                + subdomain
                + "."
                + pod.getMetadata().getNamespace()
                + ".svc."
                + clusterDomain;
        b.append(ip).append('\t').append(fqdn).append('\t').append(hostname).append('\n');
      } else {
        b.append(ip).append('\t').append(hostname).append('\n');
      }
    }
    appendAliases(b, spec.getHostAliases());
    return b.toString();
  }

  /** The node's hosts file with the pod's aliases appended (hostNetwork pods). */
  public static String hostNetwork(String nodeHosts, Pod pod) {
    StringBuilder b = new StringBuilder(nodeHosts);
    if (!nodeHosts.isEmpty() && !nodeHosts.endsWith("\n")) {
      b.append('\n');
    }
    appendAliases(b, pod.getSpec().getHostAliases());
    return b.toString();
  }

  /** {@code spec.hostname}, else the pod name, truncated as the sandbox's hostname is. */
  static String hostname(Pod pod) {
    String h = pod.getSpec().getHostname();
    String name = pod.getMetadata().getName();
    return SandboxConfigs.truncateHostname(name, h != null && !h.isEmpty() ? h : name);
  }

  private static void appendAliases(StringBuilder b, List<HostAlias> aliases) {
    if (aliases == null || aliases.isEmpty()) {
      return;
    }
    b.append("\n# Entries added by HostAliases.\n");
    for (HostAlias a : aliases) {
      b.append(a.getIp());
      for (String h : a.getHostnames() == null ? List.<String>of() : a.getHostnames()) {
        b.append('\t').append(h);
      }
      b.append('\n');
    }
  }
}
