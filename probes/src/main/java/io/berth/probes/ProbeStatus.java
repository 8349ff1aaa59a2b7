package io.berth.probes;

import java.util.Optional;

/**
 * What one probe worker is doing, for operators ({@code berth probes}): its container, the last
 * probe's raw result and how many probes it ran.
 *
 * @param containerId the container it probes; empty before it saw one
 * @param lastResult the last probe run's result (before thresholds); empty before the first
 * @param onHold waiting for a new container after a liveness/startup failure
 */
public record ProbeStatus(
    PodRef pod,
    String containerName,
    ProbeType type,
    Optional<String> containerId,
    Optional<ProbeResult> lastResult,
    boolean onHold,
    long probesRun) {}
