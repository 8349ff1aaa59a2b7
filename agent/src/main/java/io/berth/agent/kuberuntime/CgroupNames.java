package io.berth.agent.kuberuntime;

import io.fabric8.kubernetes.api.model.Pod;

/**
 * Pod cgroup parents in cgroupfs syntax, as the kubelet's pod container manager names them with the
 * cgroupfs driver: {@code <root>/pod<uid>} for Guaranteed pods, {@code <root>/burstable/pod<uid>}
 * and {@code <root>/besteffort/pod<uid>} for the others.
 *
 * @param root the node's pod cgroup root, {@code /kubepods} by default (tests use their own)
 */
public record CgroupNames(String root) {
  public static final String DEFAULT_ROOT = "/kubepods";

  public CgroupNames {
    if (root == null || !root.startsWith("/")) {
      throw new IllegalArgumentException("cgroup root must be an absolute path, got: " + root);
    }
    root = root.length() > 1 && root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
  }

  public static CgroupNames defaults() {
    return new CgroupNames(DEFAULT_ROOT);
  }

  /** The QoS-level cgroup: the root itself, or {@code <root>/burstable}, {@code /besteffort}. */
  public String qosCgroup(QosClass qos) {
    String base = root.equals("/") ? "" : root;
    return switch (qos) {
      case GUARANTEED -> root;
      case BURSTABLE -> base + "/burstable";
      case BEST_EFFORT -> base + "/besteffort";
    };
  }

  /** The pod's cgroup parent, e.g. {@code /kubepods/burstable/pod1234-…}. */
  public String podCgroupParent(Pod pod) {
    String uid = pod.getMetadata() == null ? null : pod.getMetadata().getUid();
    if (uid == null || uid.isEmpty()) {
      throw new IllegalArgumentException("pod has no metadata.uid: cannot name its cgroup");
    }
    String qos = qosCgroup(QosClass.of(pod));
    return (qos.equals("/") ? "" : qos) + "/pod" + uid;
  }
}
