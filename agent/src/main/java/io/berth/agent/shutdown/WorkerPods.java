package io.berth.agent.shutdown;

import io.berth.agent.pod.PodStatusView;
import io.berth.agent.pod.PodStatuses;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@link NodePods} on berth's pod status view and pod workers: a kill marks the pod Failed with the
 * shutdown reason, the {@code DisruptionTarget} condition and a grace override, then wakes its
 * worker, which stops the pod through the terminal-phase path (as an eviction does); the pod stays
 * listed as Failed.
 */
public final class WorkerPods implements NodePods {
  /** How often {@link #awaitStopped} looks at the pods' statuses. */
  static final Duration POLL = Duration.ofMillis(100);

  private final PodStatusView statuses;
  private final Consumer<String> resync;

  public WorkerPods(PodStatusView statuses, Consumer<String> resync) {
    this.statuses = statuses;
    this.resync = resync;
  }

  @Override
  public List<Pod> active() {
    return statuses.podList().getItems().stream()
        .filter(p -> p.getStatus() != null && !PodStatuses.isTerminal(p.getStatus().getPhase()))
        .toList();
  }

  @Override
  public void kill(Pod pod, Duration grace) {
    if (statuses.fail(
        pod,
        NodeShutdownManager.POD_REASON,
        NodeShutdownManager.POD_MESSAGE,
        NodeShutdownManager.TERMINATION_BY_KUBELET,
        grace)) {
      resync.accept(pod.getMetadata().getUid());
    }
  }

  @Override
  public boolean awaitStopped(Set<String> uids, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (uids.stream().noneMatch(this::running)) {
        return true;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      Thread.sleep(Math.min(POLL.toMillis(), Math.max(1, left / 1_000_000)));
    }
  }

  /** True while the pod's last status shows a running container. */
  private boolean running(String uid) {
    Optional<Pod> p = statuses.get(uid);
    if (p.isEmpty() || p.get().getStatus() == null) {
      return false;
    }
    var st = p.get().getStatus();
    return Stream.of(
            st.getContainerStatuses(),
            st.getInitContainerStatuses(),
            st.getEphemeralContainerStatuses())
        .filter(l -> l != null)
        .flatMap(List::stream)
        .map(ContainerStatus::getState)
        .anyMatch(s -> s != null && s.getRunning() != null);
  }
}
