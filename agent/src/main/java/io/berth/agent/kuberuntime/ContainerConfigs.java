package io.berth.agent.kuberuntime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.cri.ContainerConfig;
import io.berth.cri.ContainerMetadata;
import io.berth.cri.ContainerSecurityContext;
import io.berth.cri.ImageSpec;
import io.berth.cri.Mount;
import io.berth.cri.SecurityProfile;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.SecurityContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code generateContainerConfig} (kuberuntime_container.go, _linux.go): a container's CRI config —
 * metadata (attempt = restart count), image, {@code $(VAR)}-expanded command and args, environment,
 * working dir, log path {@code <name>/<restartCount>.log}, stdin/tty, labels, annotations (spec
 * hash, restart count, termination message path/policy, grace period, ports), resources and the
 * security context.
 *
 * <p>Mounts are a seam: the volume manager (later) passes them in, including the termination
 * message file; nothing here touches the file system.
 */
public final class ContainerConfigs {
  static final List<String> DEFAULT_MASKED_PATHS =
      List.of(
          "/proc/asound",
          "/proc/acpi",
          "/proc/kcore",
          "/proc/keys",
          "/proc/latency_stats",
          "/proc/timer_list",
          "/proc/timer_stats",
          "/proc/sched_debug",
          "/proc/scsi",
          "/sys/firmware",
          "/sys/devices/virtual/powercap");
  static final List<String> DEFAULT_READONLY_PATHS =
      List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

  private final NodeContext node;
  private final EnvResolver env;
  private final SpecHash hash;
  private final ObjectMapper mapper;
  private final Path seccompRoot;

  /**
   * @param seccompRoot where {@code Localhost} seccomp profiles live ({@code <root-dir>/seccomp},
   *     as the kubelet's {@code <root-dir>/seccomp}); a profile's {@code localhostProfile} is
   *     relative to it
   */
  public ContainerConfigs(
      NodeContext node,
      ConfigSource configs,
      SpecHash hash,
      ObjectMapper mapper,
      Path seccompRoot) {
    this.node = node;
    this.env = new EnvResolver(node, configs);
    this.hash = hash;
    this.mapper = mapper;
    this.seccompRoot = seccompRoot;
  }

  /** What varies per start of a container. */
  public record StartContext(
      int restartCount,
      String imageRef,
      List<String> podIps,
      Map<String, String> serviceEnv,
      List<Mount> mounts) {
    public StartContext {
      if (restartCount < 0) {
        throw new IllegalArgumentException("restart count must be ≥ 0, got " + restartCount);
      }
      podIps = podIps == null ? List.of() : List.copyOf(podIps);
      serviceEnv = serviceEnv == null ? Map.of() : Map.copyOf(serviceEnv);
      mounts = mounts == null ? List.of() : List.copyOf(mounts);
    }

    /** No service env, no mounts; the image as written in the spec ({@code imageRef} null). */
    public static StartContext of(int restartCount, List<String> podIps) {
      return new StartContext(restartCount, null, podIps, Map.of(), List.of());
    }
  }

  /**
   * The restart count for the next start of container {@code name}: the latest instance's count
   * plus one, or 0 when none is known; with no instance known, the caller may use {@link
   * #restartCountFromLogFiles} on the container's log directory, as the kubelet does.
   */
  public static int nextRestartCount(ObservedPod observed, String name) {
    return observed.latest(name).map(c -> c.restartCount() + 1).orElse(0);
  }

  private static final java.util.regex.Pattern LOG_FILE =
      java.util.regex.Pattern.compile("^(\\d+)\\.log(\\..*)?");

  /**
   * The kubelet's {@code calcRestartCountByLogDir}: when the runtime lost a container's history
   * (reboot), the next restart count is one more than the highest {@code <n>.log} (or rotated
   * {@code <n>.log.<suffix>}) left in {@code <pod log dir>/<container>/}, so logs are not
   * overwritten. The caller lists the directory; non-matching names are ignored.
   */
  public static int restartCountFromLogFiles(List<String> fileNames) {
    int next = 0;
    for (String name : fileNames) {
      var m = LOG_FILE.matcher(name);
      if (m.lookingAt()) {
        try {
          next = Math.max(next, Integer.parseInt(m.group(1)) + 1);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("log file number out of range: " + name, e);
        }
      }
    }
    return next;
  }

  /** The container's resolved environment (what {@link #generate} puts into the config). */
  public Map<String, String> environment(
      Pod pod, Container container, List<String> podIps, Map<String, String> serviceEnv) {
    return env.resolve(pod, container, podIps, serviceEnv);
  }

  /**
   * The CRI config of {@code container} in {@code pod} (a defaulted pod).
   *
   * @throws ContainerConfigException with the kubelet's message when env cannot be resolved
   */
  public ContainerConfig generate(Pod pod, Container container, StartContext ctx) {
    String name = container.getName();
    int restartCount = ctx.restartCount();
    Map<String, String> envs = env.resolve(pod, container, ctx.podIps(), ctx.serviceEnv());
    var mapping = EnvExpansion.mappingFor(envs);
    String image =
        ctx.imageRef() != null && !ctx.imageRef().isEmpty() ? ctx.imageRef() : container.getImage();
    var b =
        ContainerConfig.builder(
                new ContainerMetadata(name, restartCount), image == null ? "" : image)
            .image(ImageSpec.of(image == null ? "" : image))
            .command(EnvExpansion.expandAll(container.getCommand(), mapping).toArray(String[]::new))
            .args(EnvExpansion.expandAll(container.getArgs(), mapping).toArray(String[]::new))
            .workingDir(container.getWorkingDir())
            .logPath(name + "/" + restartCount + ".log")
            .stdin(
                Boolean.TRUE.equals(container.getStdin()),
                Boolean.TRUE.equals(container.getStdinOnce()))
            .tty(Boolean.TRUE.equals(container.getTty()))
            .labels(containerLabels(pod, container))
            .annotations(containerAnnotations(pod, container, restartCount))
            .resources(LinuxResources.of(pod, container, node.memoryCapacityBytes()))
            .securityContext(securityContext(pod, container, seccompRoot));
    envs.forEach(b::env);
    ctx.mounts().forEach(b::mount);
    return b.build();
  }

  /** {@code io.kubernetes.pod.name/namespace/uid} and {@code io.kubernetes.container.name}. */
  public static Map<String, String> containerLabels(Pod pod, Container container) {
    var m = pod.getMetadata();
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(RuntimeLabels.POD_NAME, m.getName());
    labels.put(RuntimeLabels.POD_NAMESPACE, m.getNamespace());
    labels.put(RuntimeLabels.POD_UID, m.getUid());
    labels.put(RuntimeLabels.CONTAINER_NAME, container.getName());
    return labels;
  }

  /** {@code newContainerAnnotations}. */
  public Map<String, String> containerAnnotations(Pod pod, Container container, int restartCount) {
    Map<String, String> a = new LinkedHashMap<>();
    a.put(RuntimeLabels.CONTAINER_HASH, hash.of(container));
    a.put(RuntimeLabels.CONTAINER_RESTART_COUNT, Integer.toString(restartCount));
    a.put(RuntimeLabels.TERMINATION_MESSAGE_PATH, orEmpty(container.getTerminationMessagePath()));
    a.put(
        RuntimeLabels.TERMINATION_MESSAGE_POLICY, orEmpty(container.getTerminationMessagePolicy()));
    if (pod.getMetadata().getDeletionGracePeriodSeconds() != null) {
      a.put(
          RuntimeLabels.POD_DELETION_GRACE_PERIOD,
          Long.toString(pod.getMetadata().getDeletionGracePeriodSeconds()));
    }
    if (pod.getSpec().getTerminationGracePeriodSeconds() != null) {
      a.put(
          RuntimeLabels.POD_TERMINATION_GRACE_PERIOD,
          Long.toString(pod.getSpec().getTerminationGracePeriodSeconds()));
    }
    if (container.getPorts() != null && !container.getPorts().isEmpty()) {
      a.put(RuntimeLabels.CONTAINER_PORTS, portsJson(container.getPorts()));
    }
    return a;
  }

  /**
   * The ports as Go's {@code json.Marshal([]v1.ContainerPort)} writes them (field order,
   * omitempty).
   */
  String portsJson(List<ContainerPort> ports) {
    ArrayNode arr = mapper.createArrayNode();
    for (ContainerPort p : ports) {
      ObjectNode o = arr.addObject();
      if (p.getName() != null && !p.getName().isEmpty()) {
        o.put("name", p.getName());
      }
      if (p.getHostPort() != null && p.getHostPort() != 0) {
        o.put("hostPort", p.getHostPort());
      }
      o.put("containerPort", p.getContainerPort() == null ? 0 : p.getContainerPort());
      if (p.getProtocol() != null && !p.getProtocol().isEmpty()) {
        o.put("protocol", p.getProtocol());
      }
      if (p.getHostIP() != null && !p.getHostIP().isEmpty()) {
        o.put("hostIP", p.getHostIP());
      }
    }
    try {
      return mapper.writeValueAsString(arr);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write ports JSON", e);
    }
  }

  /** The effective security context: the container's fields over the pod's. */
  static ContainerSecurityContext securityContext(Pod pod, Container container, Path seccompRoot) {
    SecurityContext sc = container.getSecurityContext();
    PodSecurityContext psc = pod.getSpec().getSecurityContext();
    var b = ContainerSecurityContext.builder().namespaceOptions(SandboxConfigs.namespaces(pod));
    Long runAsUser =
        sc != null && sc.getRunAsUser() != null
            ? sc.getRunAsUser()
            : psc == null ? null : psc.getRunAsUser();
    Long runAsGroup =
        sc != null && sc.getRunAsGroup() != null
            ? sc.getRunAsGroup()
            : psc == null ? null : psc.getRunAsGroup();
    if (runAsUser != null) {
      b.runAsUser(runAsUser);
    }
    if (runAsGroup != null) {
      b.runAsGroup(runAsGroup);
    }
    List<Long> groups = new ArrayList<>();
    if (psc != null) {
      if (psc.getFsGroup() != null) {
        groups.add(psc.getFsGroup());
      }
      if (psc.getSupplementalGroups() != null) {
        groups.addAll(psc.getSupplementalGroups());
      }
    }
    b.supplementalGroups(groups);
    SeccompProfile seccomp =
        sc != null && sc.getSeccompProfile() != null
            ? sc.getSeccompProfile()
            : psc == null ? null : psc.getSeccompProfile();
    b.seccomp(seccomp(seccomp, seccompRoot));
    boolean unmasked = false;
    if (sc != null) {
      b.privileged(Boolean.TRUE.equals(sc.getPrivileged()));
      b.readonlyRootfs(Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem()));
      if (sc.getCapabilities() != null) {
        b.capabilities(
            orEmptyList(sc.getCapabilities().getAdd()),
            orEmptyList(sc.getCapabilities().getDrop()));
      }
      b.noNewPrivs(sc.getAllowPrivilegeEscalation() != null && !sc.getAllowPrivilegeEscalation());
      unmasked = "Unmasked".equals(sc.getProcMount());
    }
    b.maskedPaths(unmasked ? List.of() : DEFAULT_MASKED_PATHS);
    b.readonlyPaths(unmasked ? List.of() : DEFAULT_READONLY_PATHS);
    return b.build();
  }

  /**
   * Unset means Unconfined (the kubelet's default while {@code seccompDefault} is off); a {@code
   * Localhost} profile is the file under {@code seccompRoot} (validation keeps it below).
   */
  static SecurityProfile seccomp(SeccompProfile p, Path seccompRoot) {
    if (p == null || p.getType() == null) {
      return SecurityProfile.unconfined();
    }
    return switch (p.getType()) {
      case "RuntimeDefault" -> SecurityProfile.runtimeDefault();
      case "Localhost" ->
          SecurityProfile.localhost(
              seccompRoot.resolve(orEmpty(p.getLocalhostProfile())).normalize().toString());
      default -> SecurityProfile.unconfined();
    };
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  private static List<String> orEmptyList(List<String> l) {
    return l == null ? List.of() : l;
  }
}
