package io.berth.agent.kuberuntime;

import io.berth.cri.ContainerConfig;
import io.berth.cri.ContainerSecurityContext;
import io.berth.cri.ContainerState;
import io.berth.cri.NamespaceMode;
import io.berth.cri.NamespaceOptions;
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

  /**
   * {@code config} of ephemeral container {@code name} with the PID namespace of its target.
   *
   * @throws ContainerConfigException when the target container is not running
   */
  public static ContainerConfig withTarget(
      Pod pod, String name, ObservedPod observed, ContainerConfig config) {
    String target =
        pod.getSpec().getEphemeralContainers() == null
            ? null
            : pod.getSpec().getEphemeralContainers().stream()
                .filter(e -> e.getName().equals(name))
                .findFirst()
                .map(EphemeralContainer::getTargetContainerName)
                .orElse(null);
    ContainerSecurityContext sc =
        config.securityContext() == null
            ? ContainerSecurityContext.builder().build()
            : config.securityContext();
    NamespaceOptions ns = sc.namespaceOptions();
    if (target == null || target.isEmpty() || ns.pid() != NamespaceMode.CONTAINER) {
      return config;
    }
    String targetId =
        observed
            .latest(target)
            .filter(c -> c.state() == ContainerState.RUNNING)
            .map(ObservedPod.Container::id)
            .orElseThrow(
                () ->
                    new ContainerConfigException(
                        name, "target container \"" + target + "\" is not running"));
    return config.withSecurityContext(
        sc.withNamespaceOptions(
            new NamespaceOptions(ns.network(), NamespaceMode.TARGET, ns.ipc(), targetId)));
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
