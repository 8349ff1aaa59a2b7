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

  /** Where a probe goes: the pod IP for network probes, the container ID for exec probes. */
  record ProbeTarget(String podIp, String containerId) {}
}
