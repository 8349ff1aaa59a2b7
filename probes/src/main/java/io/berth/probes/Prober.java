package io.berth.probes;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Runs one probe action once. Implementations enforce {@code timeout} themselves and never complete
 * exceptionally: every problem becomes a {@link ProbeResult} (FAILURE for what the kubelet counts
 * as a failed probe, UNKNOWN for a prober error).
 */
@FunctionalInterface
public interface Prober {

  CompletionStage<ProbeResult> probe(ProbeHandler handler, ProbeTarget target, Duration timeout);

  /**
   * The same probe bound to one handler and target, for a worker that runs it every period: an
   * implementation may do once here what does not change between runs (parse the URL, encode the
   * HTTP request, parse an IP literal). The default binds nothing and calls {@link #probe}.
   */
  default Prepared prepare(ProbeHandler handler, ProbeTarget target) {
    return timeout -> probe(handler, target, timeout);
  }

  /** A probe bound by {@link #prepare}; same contract as {@link Prober#probe}. */
  @FunctionalInterface
  interface Prepared {
    CompletionStage<ProbeResult> probe(Duration timeout);
  }

  /** Where a probe goes: the pod IP for network probes, the container ID for exec probes. */
  record ProbeTarget(String podIp, String containerId) {}
}
