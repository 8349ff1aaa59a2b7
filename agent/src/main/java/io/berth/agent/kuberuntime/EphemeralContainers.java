package io.berth.agent.kuberuntime;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;

/**
 * Ephemeral containers ({@code kubectl debug}), as the kubelet runs them: started in the pod's
 * running sandbox once, when the runtime has no instance of that name yet, and never restarted
 * (after they exit they stay exited); none is started while a new sandbox is being created. They
 * have no ports, probes, lifecycle hooks or resources (the API forbids them), so they run as a
 * plain container of their fields.
 *
 * <p>Not done: {@code targetContainerName} (sharing the target container's process namespace needs
 * the CRI's {@code NamespaceMode.TARGET}); the container sees the pod's namespaces.
 */
public final class EphemeralContainers {
  private EphemeralContainers() {}

  /** The ephemeral containers of {@code pod} that have never run on this node, in spec order. */
  public static List<Container> toStart(Pod pod, ObservedPod observed) {
    List<Container> out = new ArrayList<>();
    for (Container c : all(pod)) {
      if (observed.latest(c.getName()).isEmpty()) {
        out.add(c);
      }
    }
    return out;
  }

  /** Every ephemeral container of {@code pod} as a {@link Container}. */
  public static List<Container> all(Pod pod) {
    List<EphemeralContainer> list =
        pod.getSpec() == null || pod.getSpec().getEphemeralContainers() == null
            ? List.of()
            : pod.getSpec().getEphemeralContainers();
    return list.stream().map(EphemeralContainers::asContainer).toList();
  }

  static Container asContainer(EphemeralContainer e) {
    return new ContainerBuilder()
        .withName(e.getName())
        .withImage(e.getImage())
        .withImagePullPolicy(e.getImagePullPolicy())
        .withCommand(e.getCommand())
        .withArgs(e.getArgs())
        .withWorkingDir(e.getWorkingDir())
        .withEnv(e.getEnv())
        .withEnvFrom(e.getEnvFrom())
        .withVolumeMounts(e.getVolumeMounts())
        .withVolumeDevices(e.getVolumeDevices())
        .withSecurityContext(e.getSecurityContext())
        .withStdin(e.getStdin())
        .withStdinOnce(e.getStdinOnce())
        .withTty(e.getTty())
        .withTerminationMessagePath(e.getTerminationMessagePath())
        .withTerminationMessagePolicy(e.getTerminationMessagePolicy())
        .build();
  }
}
