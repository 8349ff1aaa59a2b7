package io.berth.agent.kuberuntime;

/**
 * Label and annotation keys the kubelet puts on sandboxes and containers (pkg/kubelet/types and
 * kuberuntime/labels.go), so that a restarted berth — or a kubelet — recognises what is running.
 */
public final class RuntimeLabels {
  private RuntimeLabels() {}

  public static final String POD_NAME = "io.kubernetes.pod.name";
  public static final String POD_NAMESPACE = "io.kubernetes.pod.namespace";
  public static final String POD_UID = "io.kubernetes.pod.uid";
  public static final String CONTAINER_NAME = "io.kubernetes.container.name";

  /** Annotation: the container's {@link SpecHash}. */
  public static final String CONTAINER_HASH = "io.kubernetes.container.hash";

  public static final String CONTAINER_RESTART_COUNT = "io.kubernetes.container.restartCount";
  public static final String TERMINATION_MESSAGE_PATH =
      "io.kubernetes.container.terminationMessagePath";
  public static final String TERMINATION_MESSAGE_POLICY =
      "io.kubernetes.container.terminationMessagePolicy";
  public static final String POD_DELETION_GRACE_PERIOD = "io.kubernetes.pod.deletionGracePeriod";
  public static final String POD_TERMINATION_GRACE_PERIOD =
      "io.kubernetes.pod.terminationGracePeriod";
  public static final String CONTAINER_PORTS = "io.kubernetes.container.ports";
}
