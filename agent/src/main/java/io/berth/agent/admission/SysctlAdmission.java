package io.berth.agent.admission;

import io.berth.agent.kuberuntime.SandboxConfigs;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Sysctl;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The kubelet's sysctl admission: a pod may set the safe sysctls, and unsafe ones only when the
 * node allows them ({@code allowedUnsafeSysctls}: names, or prefixes ending in {@code *}); only
 * sysctls of the pod's own IPC or network namespace are possible at all, and not when the pod
 * shares that namespace with the host.
 */
public final class SysctlAdmission {
  static final String REASON = "SysctlForbidden";

  /** The safe set of Kubernetes 1.32 (all namespaced, none can hurt other pods). */
  static final Set<String> SAFE =
      Set.of(
          "kernel.shm_rmid_forced",
          "net.ipv4.ip_local_port_range",
          "net.ipv4.tcp_syncookies",
          "net.ipv4.ping_group_range",
          "net.ipv4.ip_unprivileged_port_start",
          "net.ipv4.ip_local_reserved_ports",
          "net.ipv4.tcp_keepalive_time",
          "net.ipv4.tcp_fin_timeout",
          "net.ipv4.tcp_keepalive_intvl",
          "net.ipv4.tcp_keepalive_probes",
          "net.ipv4.tcp_rmem",
          "net.ipv4.tcp_wmem");

  private enum Namespace {
    IPC,
    NET,
    NONE
  }

  private final List<String> allowedUnsafe;

  public SysctlAdmission(List<String> allowedUnsafe) {
    this.allowedUnsafe = List.copyOf(allowedUnsafe);
    for (String pattern : allowedUnsafe) {
      if (namespaceOf(pattern.endsWith("*") ? pattern.substring(0, pattern.length() - 1) : pattern)
          == Namespace.NONE) {
        throw new IllegalArgumentException(
            "allowedUnsafeSysctls: \"" + pattern + "\" is not a namespaced sysctl");
      }
    }
  }

  Optional<Admission.Reject> check(Pod pod) {
    PodSecurityContext sc = pod.getSpec().getSecurityContext();
    if (sc == null || sc.getSysctls() == null) {
      return Optional.empty();
    }
    for (Sysctl s : sc.getSysctls()) {
      String name = SandboxConfigs.normalizeSysctl(s.getName());
      Namespace ns = namespaceOf(name);
      String problem = null;
      if (ns == Namespace.NONE) {
        problem = "not a namespaced sysctl";
      } else if (ns == Namespace.NET && Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
        problem = "not allowed with host net enabled";
      } else if (ns == Namespace.IPC && Boolean.TRUE.equals(pod.getSpec().getHostIPC())) {
        problem = "not allowed with host ipc enabled";
      } else if (!SAFE.contains(name) && !allowedUnsafe(name)) {
        problem = "not allowlisted (unsafe sysctls need allowedUnsafeSysctls)";
      }
      if (problem != null) {
        return Optional.of(
            new Admission.Reject(REASON, "forbidden sysctl: \"" + name + "\" " + problem));
      }
    }
    return Optional.empty();
  }

  private boolean allowedUnsafe(String name) {
    for (String p : allowedUnsafe) {
      if (p.endsWith("*") ? name.startsWith(p.substring(0, p.length() - 1)) : name.equals(p)) {
        return true;
      }
    }
    return false;
  }

  private static Namespace namespaceOf(String name) {
    if (name.startsWith("net.")) {
      return Namespace.NET;
    }
    if (name.equals("kernel.sem")
        || name.startsWith("kernel.shm")
        || name.startsWith("kernel.msg")
        || name.startsWith("fs.mqueue.")) {
      return Namespace.IPC;
    }
    return Namespace.NONE;
  }
}
