package io.berth.agent.pod;

import io.berth.agent.kuberuntime.ObservedPod;
import io.berth.agent.kuberuntime.ProbeResults;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;

/**
 * What a pod's sync needs from the prober (the kubelet's {@code prober.Manager} as {@code SyncPod}
 * and the status manager use it): probe workers follow the pod's containers, liveness and startup
 * results decide restarts, readiness results decide the {@code ready} and {@code started} fields.
 *
 * <p>Thread safety: pod workers call it concurrently, each for its own pod.
 */
public interface PodProbes {
  /**
   * The pod's worker saw its containers: start the pod's probe workers if it has none yet and tell
   * them each container's newest instance (ID, running, start time, pod IP).
   *
   * @param hostIps the node's IPs; a host-network pod is probed on the first
   */
  void observe(Pod pod, ObservedPod observed, List<String> hostIps);

  /** The liveness and startup results of the observed containers, for {@code ComputePodActions}. */
  ProbeResults results(ObservedPod observed);

  /** How the pod's containers' readiness is decided from here on. */
  ContainerReadiness readiness(String podUid);

  /** The pod is being terminated: a slow shutdown must not count as a failed liveness probe. */
  void stopLivenessAndStartup(String podUid);

  /** The pod is gone: its workers stop and its results are forgotten. */
  void removePod(String podUid);

  /** No probing: containers are ready when running, nothing is restarted by a probe. */
  PodProbes NONE =
      new PodProbes() {
        @Override
        public void observe(Pod pod, ObservedPod observed, List<String> hostIps) {}

        @Override
        public ProbeResults results(ObservedPod observed) {
          return ProbeResults.none();
        }

        @Override
        public ContainerReadiness readiness(String podUid) {
          return ContainerReadiness.WHEN_RUNNING;
        }

        @Override
        public void stopLivenessAndStartup(String podUid) {}

        @Override
        public void removePod(String podUid) {}
      };
}
