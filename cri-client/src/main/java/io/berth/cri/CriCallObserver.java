package io.berth.cri;

import java.time.Duration;

/**
 * Hears about every CRI call as it completes, once per call including its retries. The agent turns
 * this into latency histograms and error counters by operation, like the kubelet's {@code
 * kubelet_runtime_operations_duration_seconds} and {@code kubelet_runtime_operations_errors_total}.
 *
 * <p>Called on the calling thread after the call; must be cheap and must not throw.
 */
@FunctionalInterface
public interface CriCallObserver {
  /** No one listens. */
  CriCallObserver NONE = (operation, elapsed, outcome) -> {};

  /**
   * @param operation the RPC name, e.g. {@code "RunPodSandbox"}
   * @param elapsed wall time of the call, retries included
   * @param outcome {@code "OK"}, or the gRPC status code name the call failed with (e.g. {@code
   *     "NOT_FOUND"}, {@code "UNAVAILABLE"}, {@code "DEADLINE_EXCEEDED"})
   */
  void completed(String operation, Duration elapsed, String outcome);
}
