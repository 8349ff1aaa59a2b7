/**
 * Container probes as Kubernetes defines them: the probe model ({@link io.berth.probes.ProbeSpec},
 * the sealed {@link io.berth.probes.ProbeHandler}), one {@link io.berth.probes.ProbeWorker} per
 * (pod, container, probe type) run by the {@link io.berth.probes.ProbeManager} on a {@link
 * io.berth.probes.ProbeScheduler}, the one results channel {@link io.berth.probes.ProbeResults},
 * and the kubelet's prober metrics ({@link io.berth.probes.ProbeMetrics}).
 *
 * <p>How a probe runs is behind {@link io.berth.probes.Prober}; the real probers live in {@code
 * io.berth.probes.prober}. Workers never block: they start a probe and handle its result when it
 * completes, all on the scheduler's single thread.
 */
package io.berth.probes;
