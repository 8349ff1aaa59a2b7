/**
 * The agent's side of probing, wired into pods: {@link io.berth.agent.probe.NodeProber} assembles
 * the probes library (one epoll loop, exec through the CRI's ExecSync with {@link
 * io.berth.agent.probe.CriExecRunner}); {@link io.berth.agent.probe.ProberManager} follows the pod
 * workers (workers per container and probe type, liveness/startup results for restarts, readiness
 * for the pod status); {@link io.berth.agent.probe.ProbeSpecs} converts the pod spec's probes;
 * {@link io.berth.agent.probe.ProbeSyncHandler} turns result changes into pod syncs.
 */
package io.berth.agent.probe;
