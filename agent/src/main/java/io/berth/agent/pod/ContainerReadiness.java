package io.berth.agent.pod;

/**
 * Whether a running container has started and is ready, as the probe results say (the kubelet's
 * {@code prober.Manager.UpdatePodStatus}). Asked only about running containers; a container that
 * has not started is never ready.
 */
public interface ContainerReadiness {
  /** True when the container has no startup probe or its startup probe succeeded. */
  boolean started(String containerName, String containerId);

  /** True when the container has no readiness probe or its readiness probe succeeded. */
  boolean ready(String containerName, String containerId);

  /** No probes: a running container is started and ready. */
  ContainerReadiness WHEN_RUNNING =
      new ContainerReadiness() {
        @Override
        public boolean started(String containerName, String containerId) {
          return true;
        }

        @Override
        public boolean ready(String containerName, String containerId) {
          return true;
        }
      };
}
