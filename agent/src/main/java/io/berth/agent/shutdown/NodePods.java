package io.berth.agent.shutdown;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** The node's pods as the shutdown manager sees them. */
public interface NodePods {
  /** The pods not yet in a terminal phase. */
  List<Pod> active();

  /**
   * Fails the pod (phase Failed, reason {@code Terminated}, the kubelet's message) and has its
   * worker stop it within {@code grace}. Returns at once.
   */
  void kill(Pod pod, Duration grace);

  /**
   * Waits until none of {@code uids} has a running container, at most {@code timeout}.
   *
   * @return true when all stopped in time
   */
  boolean awaitStopped(Set<String> uids, Duration timeout) throws InterruptedException;
}
