package io.berth.agent.kuberuntime;

import io.berth.cri.Image;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContext;

/**
 * The kubelet's {@code verifyRunAsNonRoot}: with {@code runAsNonRoot: true} a container must not
 * run as uid 0, whether the uid comes from {@code runAsUser} or from the image; an image that names
 * its user instead of a uid cannot be verified and is refused too; an image with no user at all
 * runs as root. Failures are {@code CreateContainerConfigError}s.
 */
public final class RunAsNonRoot {
  private RunAsNonRoot() {}

  /**
   * @param image the runtime's status of the container's image, null when unknown (then treated as
   *     root, like an image without a user)
   */
  public static void verify(Pod pod, Container container, Image image) {
    SecurityContext sc = container.getSecurityContext();
    PodSecurityContext psc = pod.getSpec().getSecurityContext();
    Boolean nonRoot =
        sc != null && sc.getRunAsNonRoot() != null
            ? sc.getRunAsNonRoot()
            : psc == null ? null : psc.getRunAsNonRoot();
    if (!Boolean.TRUE.equals(nonRoot)) {
      return;
    }
    Long runAsUser =
        sc != null && sc.getRunAsUser() != null
            ? sc.getRunAsUser()
            : psc == null ? null : psc.getRunAsUser();
    String where =
        " (pod: \""
            + pod.getMetadata().getName()
            + "_"
            + pod.getMetadata().getNamespace()
            + "("
            + pod.getMetadata().getUid()
            + ")\", container: "
            + container.getName()
            + ")";
    if (runAsUser != null) {
      if (runAsUser == 0) {
        throw new ContainerConfigException(
            container.getName(), "container's runAsUser breaks non-root policy" + where);
      }
      return;
    }
    if (image != null && image.uid() != null) {
      if (image.uid() == 0) {
        throw new ContainerConfigException(
            container.getName(), "container has runAsNonRoot and image will run as root" + where);
      }
      return;
    }
    if (image != null && !image.username().isEmpty()) {
      throw new ContainerConfigException(
          container.getName(),
          "container has runAsNonRoot and image has non-numeric user ("
              + image.username()
              + "), cannot verify user is non-root"
              + where);
    }
    throw new ContainerConfigException(
        container.getName(), "container has runAsNonRoot and image will run as root" + where);
  }
}
