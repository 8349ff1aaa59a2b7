/**
 * The agent's side of probing: what the probes library needs from the runtime. Today that is {@link
 * io.berth.agent.probe.CriExecRunner}, exec probes through the CRI's ExecSync. The probe manager's
 * wiring into pods joins it with the pod workers.
 */
package io.berth.agent.probe;
