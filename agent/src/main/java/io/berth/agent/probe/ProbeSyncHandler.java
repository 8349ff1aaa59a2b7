package io.berth.agent.probe;

import io.berth.agent.events.EventRecorder;
import io.berth.agent.events.KubeletEvents;
import io.berth.agent.events.ObjectReference;
import io.berth.probes.ProbeResult;
import io.berth.probes.ProbeType;
import io.berth.probes.ProbeUpdate;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sync loop's handler for the probe results channel (the kubelet's {@code handleProbeSync}):
 * every changed result makes the pod's worker sync now, which restarts a container whose liveness
 * or startup probe failed and recomputes {@code ready}/{@code started} and the pod's conditions. It
 * only hands work over: it never blocks the loop.
 */
public final class ProbeSyncHandler implements Consumer<ProbeUpdate> {
  private static final Logger log = LoggerFactory.getLogger(ProbeSyncHandler.class);

  private final Consumer<String> resyncPod;
  private final EventRecorder events;

  /** {@code resyncPod} wakes the worker of a pod UID (a no-op for pods without a worker). */
  public ProbeSyncHandler(Consumer<String> resyncPod) {
    this(resyncPod, EventRecorder.NONE);
  }

  /**
   * As above, and a failed probe of a running container becomes the kubelet's {@code Unhealthy}
   * warning ("Liveness probe failed: OUTPUT") on the container.
   */
  public ProbeSyncHandler(Consumer<String> resyncPod, EventRecorder events) {
    this.resyncPod = resyncPod;
    this.events = events;
  }

  @Override
  public void accept(ProbeUpdate u) {
    if (u.restartContainer()) {
      log.info(
          "pod {} container {} ({}): {} probe failed: {}",
          u.pod(),
          u.containerName(),
          u.containerId(),
          u.type().label(),
          u.result().message());
    } else if (u.containerRunning()
        && u.type() != ProbeType.LIVENESS
        && u.result().outcome() != ProbeResult.Outcome.UNKNOWN) {
      log.info(
          "pod {} container {}: {} probe {}",
          u.pod(),
          u.containerName(),
          u.type().label(),
          u.ready() ? "succeeded" : "failed: " + u.result().message());
    }
    if (u.containerRunning() && u.result().outcome() == ProbeResult.Outcome.FAILURE) {
      events.warning(
          ObjectReference.pod(u.pod().namespace(), u.pod().name(), u.pod().uid())
              .withFieldPath("spec.containers{" + u.containerName() + "}"),
          KubeletEvents.CONTAINER_UNHEALTHY,
          u.type().label() + " probe failed: " + u.result().message());
    }
    resyncPod.accept(u.pod().uid());
  }
}
