package io.berth.metrics.cgroup;

/**
 * The cgroupfs-driver layout berth uses: {@code /kubepods/<qos>/pod<uid>/<containerId>} for
 * Burstable and BestEffort pods, {@code /kubepods/pod<uid>/<containerId>} for Guaranteed pods. The
 * readers take any path; this only builds the usual ones.
 */
public final class KubepodsLayout {
  /** Kubernetes QoS classes. */
  public enum QosClass {
    GUARANTEED,
    BURSTABLE,
    BEST_EFFORT
  }

  private final String root;

  /**
   * @param root the kubepods parent, normally {@code /kubepods}
   */
  public KubepodsLayout(String root) {
    this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
  }

  /** The pod-level cgroup. */
  public String podCgroup(QosClass qos, String podUid) {
    return switch (qos) {
      case GUARANTEED -> root + "/pod" + podUid;
      case BURSTABLE -> root + "/burstable/pod" + podUid;
      case BEST_EFFORT -> root + "/besteffort/pod" + podUid;
    };
  }

  /** A container's cgroup: the pod cgroup plus the CRI container id. */
  public String containerCgroup(QosClass qos, String podUid, String containerId) {
    return podCgroup(qos, podUid) + "/" + containerId;
  }
}
