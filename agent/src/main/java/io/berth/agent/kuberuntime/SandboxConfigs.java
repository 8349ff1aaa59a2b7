package io.berth.agent.kuberuntime;

import io.berth.cri.LinuxSandboxConfig;
import io.berth.cri.NamespaceMode;
import io.berth.cri.NamespaceOptions;
import io.berth.cri.PodSandboxConfig;
import io.berth.cri.PodSandboxMetadata;
import io.berth.cri.PortMapping;
import io.berth.cri.SandboxSecurityContext;
import io.berth.cri.SecurityProfile;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Sysctl;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code generatePodSandboxConfig} (kuberuntime_sandbox.go, _linux.go): a pod's CRI sandbox config
 * — metadata, hostname, log directory, DNS, port mappings, labels and annotations, cgroup parent,
 * namespaces, sysctls and the sandbox security context.
 */
public final class SandboxConfigs {
  static final int HOSTNAME_MAX = 63;
  static final int FQDN_MAX = 64;

  private final RuntimeSettings settings;

  public SandboxConfigs(RuntimeSettings settings) {
    this.settings = settings;
  }

  /**
   * The sandbox config for {@code pod} (a defaulted pod) at sandbox {@code attempt}.
   *
   * @throws IllegalArgumentException when the hostname or FQDN cannot be built (message says why)
   */
  public PodSandboxConfig generate(Pod pod, int attempt) {
    var meta = pod.getMetadata();
    PodSandboxConfig.Builder b =
        PodSandboxConfig.builder(
            new PodSandboxMetadata(meta.getName(), meta.getUid(), meta.getNamespace(), attempt));
    b.labels(podLabels(pod));
    if (meta.getAnnotations() != null) {
      b.annotations(meta.getAnnotations());
    }
    b.dnsConfig(PodDns.of(pod, settings));
    if (!Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
      b.hostname(hostname(pod));
    }
    b.logDirectory(logDirectory(settings.podLogsRoot(), pod));
    portMappings(pod).forEach(b::portMapping);
    b.linux(linux(pod));
    return b.build();
  }

  /** {@code <root>/<namespace>_<name>_<uid>}. */
  public static String logDirectory(String root, Pod pod) {
    var m = pod.getMetadata();
    return Path.of(root, m.getNamespace() + "_" + m.getName() + "_" + m.getUid()).toString();
  }

  /** The pod's labels plus {@code io.kubernetes.pod.name/namespace/uid} (which win). */
  public static Map<String, String> podLabels(Pod pod) {
    Map<String, String> labels = new LinkedHashMap<>();
    var m = pod.getMetadata();
    if (m.getLabels() != null) {
      labels.putAll(m.getLabels());
    }
    labels.put(RuntimeLabels.POD_NAME, m.getName());
    labels.put(RuntimeLabels.POD_NAMESPACE, m.getNamespace());
    labels.put(RuntimeLabels.POD_UID, m.getUid());
    return labels;
  }

  /**
   * The kernel hostname: {@code spec.hostname} or the pod name, cut to 63 characters without a
   * trailing '-' or '.'; {@code <hostname>.<subdomain>.<ns>.svc.<domain>} with {@code
   * setHostnameAsFQDN} and a subdomain.
   */
  String hostname(Pod pod) {
    String name = pod.getMetadata().getName();
    String hostname = name;
    String specHostname = pod.getSpec().getHostname();
    if (specHostname != null && !specHostname.isEmpty()) {
      if (!isDns1123Label(specHostname)) {
        throw new IllegalArgumentException(
            "pod " + name + ": hostname \"" + specHostname + "\" is not a valid DNS label");
      }
      hostname = specHostname;
    }
    hostname = truncateHostname(name, hostname);
    String subdomain = pod.getSpec().getSubdomain();
    String domain = "";
    if (subdomain != null && !subdomain.isEmpty()) {
      if (!isDns1123Label(subdomain)) {
        throw new IllegalArgumentException(
            "pod " + name + ": subdomain \"" + subdomain + "\" is not a valid DNS label");
      }
      domain =
          subdomain + "." + pod.getMetadata().getNamespace() + ".svc." + settings.clusterDomain();
    }
    if (!domain.isEmpty() && Boolean.TRUE.equals(pod.getSpec().getSetHostnameAsFQDN())) {
      String fqdn = hostname + "." + domain;
      if (fqdn.length() > FQDN_MAX) {
        throw new IllegalArgumentException(
            "failed to construct FQDN from pod hostname and cluster domain, FQDN "
                + fqdn
                + " is too long ("
                + FQDN_MAX
                + " characters is the max, "
                + fqdn.length()
                + " characters requested)");
      }
      return fqdn;
    }
    return hostname;
  }

  public static String truncateHostname(String podName, String hostname) {
    if (hostname.length() <= HOSTNAME_MAX) {
      return hostname;
    }
    String t = hostname.substring(0, HOSTNAME_MAX);
    int end = t.length();
    while (end > 0 && (t.charAt(end - 1) == '-' || t.charAt(end - 1) == '.')) {
      end--;
    }
    if (end == 0) {
      throw new IllegalArgumentException(
          "hostname for pod \"" + podName + "\" was invalid: \"" + hostname + "\"");
    }
    return t.substring(0, end);
  }

  static boolean isDns1123Label(String s) {
    return s.length() <= 63 && s.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  }

  /**
   * {@code MakePortMappings} over the regular containers: every declared port (hostPort 0 means
   * none), a port name used twice in one container counts once.
   */
  static List<PortMapping> portMappings(Pod pod) {
    List<PortMapping> out = new ArrayList<>();
    for (Container c : nullSafe(pod.getSpec().getContainers())) {
      Set<String> names = new HashSet<>();
      for (ContainerPort p : nullSafe(c.getPorts())) {
        String hostIp = p.getHostIP() == null ? "" : p.getHostIP();
        String protocol = p.getProtocol() == null ? "TCP" : p.getProtocol();
        int containerPort = p.getContainerPort() == null ? 0 : p.getContainerPort();
        int hostPort = p.getHostPort() == null ? 0 : p.getHostPort();
        String family = hostIp.isEmpty() ? "any" : hostIp.contains(":") ? "v6" : "v4";
        String name =
            p.getName() != null && !p.getName().isEmpty()
                ? p.getName()
                : family + "-" + protocol + "-" + hostIp + ":" + containerPort + ":" + hostPort;
        if (!names.add(name)) {
          continue;
        }
        out.add(new PortMapping(protocol(protocol), containerPort, hostPort, hostIp));
      }
    }
    return out;
  }

  private static PortMapping.Protocol protocol(String p) {
    return switch (p) {
      case "UDP" -> PortMapping.Protocol.UDP;
      case "SCTP" -> PortMapping.Protocol.SCTP;
      default -> PortMapping.Protocol.TCP;
    };
  }

  /** The pod's namespace modes: network/IPC POD or NODE; PID CONTAINER, POD (shared) or NODE. */
  public static NamespaceOptions namespaces(Pod pod) {
    var spec = pod.getSpec();
    NamespaceMode network =
        Boolean.TRUE.equals(spec.getHostNetwork()) ? NamespaceMode.NODE : NamespaceMode.POD;
    NamespaceMode ipc =
        Boolean.TRUE.equals(spec.getHostIPC()) ? NamespaceMode.NODE : NamespaceMode.POD;
    NamespaceMode pid =
        Boolean.TRUE.equals(spec.getHostPID())
            ? NamespaceMode.NODE
            : Boolean.TRUE.equals(spec.getShareProcessNamespace())
                ? NamespaceMode.POD
                : NamespaceMode.CONTAINER;
    return new NamespaceOptions(network, pid, ipc, "");
  }

  LinuxSandboxConfig linux(Pod pod) {
    PodSecurityContext sc = pod.getSpec().getSecurityContext();
    Map<String, String> sysctls = new LinkedHashMap<>();
    List<Long> groups = new ArrayList<>();
    Long runAsUser = null;
    Long runAsGroup = null;
    if (sc != null) {
      for (Sysctl s : nullSafe(sc.getSysctls())) {
        sysctls.put(normalizeSysctl(s.getName()), s.getValue());
      }
      runAsUser = sc.getRunAsUser();
      runAsGroup = sc.getRunAsGroup();
      if (sc.getFsGroup() != null) {
        groups.add(sc.getFsGroup());
      }
      groups.addAll(nullSafe(sc.getSupplementalGroups()));
    }
    boolean privileged =
        EnvResolver.allContainers(pod).stream()
            .anyMatch(
                c ->
                    c.getSecurityContext() != null
                        && Boolean.TRUE.equals(c.getSecurityContext().getPrivileged()));
    var security =
        new SandboxSecurityContext(
            namespaces(pod),
            runAsUser,
            runAsGroup,
            false,
            groups,
            privileged,
            SecurityProfile.runtimeDefault());
    return new LinuxSandboxConfig(settings.cgroups().podCgroupParent(pod), security, sysctls);
  }

  /**
   * {@code sysctl.NormalizeName}: a name whose first separator is '/' has '/' and '.' swapped
   * ({@code net/ipv4/conf/eno2.100/rp_filter} → {@code net.ipv4.conf.eno2/100.rp_filter}).
   */
  public static String normalizeSysctl(String name) {
    int dot = name.indexOf('.');
    int slash = name.indexOf('/');
    if (slash < 0 || (dot >= 0 && dot < slash)) {
      return name;
    }
    StringBuilder b = new StringBuilder(name.length());
    for (char ch : name.toCharArray()) {
      b.append(ch == '/' ? '.' : ch == '.' ? '/' : ch);
    }
    return b.toString();
  }

  private static <T> List<T> nullSafe(List<T> l) {
    return l == null ? List.of() : l;
  }
}
