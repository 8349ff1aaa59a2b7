/**
 * berth's "kuberuntime": the pure core of the kubelet's runtime manager, turning a {@code Pod} into
 * CRI calls with the kubelet's semantics (pkg/kubelet/kuberuntime).
 *
 * <pre>
 *  Pod (fabric8, defaulted by {@link io.berth.agent.kuberuntime.PodDefaults})
 *   │                                   observed runtime state
 *   │    CRI PodSandboxStatus/ContainerStatus ──▶ {@link io.berth.agent.kuberuntime.RuntimeStateMapper}
 *   │                                                    │ ObservedPod
 *   ▼                                                    ▼
 *  {@link io.berth.agent.kuberuntime.ComputePodActions} ──▶ PodActions (kill pod? new sandbox? kill/start …)
 *   │
 *   ├─ {@link io.berth.agent.kuberuntime.SandboxConfigs}   ──▶ io.berth.cri.PodSandboxConfig
 *   ├─ {@link io.berth.agent.kuberuntime.ContainerConfigs} ──▶ io.berth.cri.ContainerConfig
 *   ├─ {@link io.berth.agent.kuberuntime.CrashLoopBackoff} / {@link io.berth.agent.kuberuntime.ImagePulls}
 *   └─ {@link io.berth.agent.kuberuntime.ContainerStates}  ◀── CRI ContainerStatus (for pod status)
 * </pre>
 *
 * <p>Everything here is free of I/O: no CRI calls, no files, no sleeping. Time comes from an
 * injected {@link java.time.Clock}. The pod worker that performs the CRI calls is built on top.
 *
 * <p><b>Thread safety.</b> All classes are immutable or stateless except {@link
 * io.berth.agent.kuberuntime.Backoff} (and its users), which is thread-safe.
 */
package io.berth.agent.kuberuntime;
