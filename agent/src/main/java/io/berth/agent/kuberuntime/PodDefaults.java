package io.berth.agent.kuberuntime;

import io.berth.agent.validation.VolumeSources;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The API server's defaulting ({@code pkg/apis/core/v1/defaults.go}) for the fields the runtime
 * manager reads, applied to pods that did not come through an API server (static pods from files),
 * as the kubelet's file source does. Everything here expects a defaulted pod; applying the defaults
 * twice changes nothing.
 */
public final class PodDefaults {
  private PodDefaults() {}

  public static final String PULL_ALWAYS = "Always";
  public static final String PULL_IF_NOT_PRESENT = "IfNotPresent";
  public static final String PULL_NEVER = "Never";

  /** A defaulted deep copy of {@code pod}; the argument is not changed. */
  public static Pod apply(Pod pod) {
    Pod copy = new PodBuilder(pod).build();
    PodSpec spec = copy.getSpec();
    if (spec == null) {
      return copy; // nothing to default; validation reports the missing spec
    }
    if (isBlank(spec.getRestartPolicy())) {
      spec.setRestartPolicy("Always");
    }
    if (isBlank(spec.getDnsPolicy())) {
      spec.setDnsPolicy("ClusterFirst");
    }
    if (spec.getTerminationGracePeriodSeconds() == null) {
      spec.setTerminationGracePeriodSeconds(30L);
    }
    if (spec.getSecurityContext() == null) {
      spec.setSecurityContext(new PodSecurityContext());
    }
    if (spec.getEnableServiceLinks() == null) {
      spec.setEnableServiceLinks(true);
    }
    if (isBlank(spec.getSchedulerName())) {
      spec.setSchedulerName("default-scheduler");
    }
    boolean hostNetwork = Boolean.TRUE.equals(spec.getHostNetwork());
    for (Container c : nonNull(spec.getContainers())) {
      defaultContainer(c, hostNetwork);
    }
    for (Container c : nonNull(spec.getInitContainers())) {
      defaultContainer(c, hostNetwork);
    }
    for (Volume v : nonNull(spec.getVolumes())) {
      // SetDefaults_Volume: a volume with no source at all is an emptyDir
      if (v != null && VolumeSources.present(v).isEmpty()) {
        v.setEmptyDir(new EmptyDirVolumeSource());
      }
    }
    return copy;
  }

  /**
   * The default image pull policy: {@code Always} when the image's tag is {@code latest} or it has
   * neither tag nor digest, {@code IfNotPresent} otherwise.
   */
  public static String defaultPullPolicy(String image) {
    if (image == null || image.isEmpty()) {
      return PULL_IF_NOT_PRESENT; // an unparsable reference has no tag
    }
    ImageName name = ImageName.parse(image);
    return "latest".equals(name.tag()) ? PULL_ALWAYS : PULL_IF_NOT_PRESENT;
  }

  private static void defaultContainer(Container c, boolean hostNetwork) {
    if (c == null) {
      return; // a null list entry: validation reports it
    }
    if (isBlank(c.getImagePullPolicy())) {
      c.setImagePullPolicy(defaultPullPolicy(c.getImage() == null ? "" : c.getImage()));
    }
    if (isBlank(c.getTerminationMessagePath())) {
      c.setTerminationMessagePath("/dev/termination-log");
    }
    if (isBlank(c.getTerminationMessagePolicy())) {
      c.setTerminationMessagePolicy("File");
    }
    if (c.getPorts() != null) {
      for (ContainerPort p : c.getPorts()) {
        if (p == null) {
          continue;
        }
        if (isBlank(p.getProtocol())) {
          p.setProtocol("TCP");
        }
        if (hostNetwork && (p.getHostPort() == null || p.getHostPort() == 0)) {
          p.setHostPort(p.getContainerPort());
        }
      }
    }
    // SetDefaults_Pod: a container with a limit but no request gets request = limit.
    ResourceRequirements r = c.getResources();
    if (r != null && r.getLimits() != null && !r.getLimits().isEmpty()) {
      Map<String, Quantity> requests =
          new LinkedHashMap<>(r.getRequests() == null ? Map.of() : r.getRequests());
      r.getLimits().forEach(requests::putIfAbsent);
      r.setRequests(requests);
    }
    for (Probe p : new Probe[] {c.getLivenessProbe(), c.getReadinessProbe(), c.getStartupProbe()}) {
      defaultProbe(p);
    }
    if (c.getEnv() != null) {
      for (var env : c.getEnv()) {
        if (env != null
            && env.getValueFrom() != null
            && env.getValueFrom().getFieldRef() != null
            && isBlank(env.getValueFrom().getFieldRef().getApiVersion())) {
          env.getValueFrom().getFieldRef().setApiVersion("v1");
        }
      }
    }
  }

  private static void defaultProbe(Probe p) {
    if (p == null) {
      return;
    }
    if (p.getTimeoutSeconds() == null || p.getTimeoutSeconds() == 0) {
      p.setTimeoutSeconds(1);
    }
    if (p.getPeriodSeconds() == null || p.getPeriodSeconds() == 0) {
      p.setPeriodSeconds(10);
    }
    if (p.getSuccessThreshold() == null || p.getSuccessThreshold() == 0) {
      p.setSuccessThreshold(1);
    }
    if (p.getFailureThreshold() == null || p.getFailureThreshold() == 0) {
      p.setFailureThreshold(3);
    }
  }

  private static <T> List<T> nonNull(List<T> list) {
    return list == null ? List.of() : list;
  }

  static boolean isBlank(String s) {
    return s == null || s.isEmpty();
  }

  /** The parts of an image reference: repository, tag ("latest" when neither tag nor digest). */
  record ImageName(String repository, String tag, String digest) {
    static ImageName parse(String image) {
      String rest = image;
      String digest = "";
      int at = rest.indexOf('@');
      if (at >= 0) {
        digest = rest.substring(at + 1);
        rest = rest.substring(0, at);
      }
      String tag = "";
      int slash = rest.lastIndexOf('/');
      int colon = rest.lastIndexOf(':');
      if (colon > slash) {
        tag = rest.substring(colon + 1);
        rest = rest.substring(0, colon);
      }
      if (tag.isEmpty() && digest.isEmpty()) {
        tag = "latest";
      }
      return new ImageName(rest, tag, digest);
    }
  }
}
