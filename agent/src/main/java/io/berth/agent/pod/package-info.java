/**
 * Running pods: the kubelet's pod workers, PLEG and local status view on top of the pure {@code
 * io.berth.agent.kuberuntime} core.
 *
 * <pre>
 *  PodConfig ──PodUpdate──▶ SyncLoop ──▶ PodDispatcher ──▶ PodWorkers (1 virtual thread per UID,
 *                              ▲                            latest-wins slot + wake-up)
 *  PodLifecycleEventGenerator ─┘ (relist 1 s, diff)              │ PodSyncer
 *                                                                 ▼
 *                                  RuntimePodSyncer: observe → ComputePodActions → CRI calls
 *                                                                 │
 *                                  PodStatusView ◀── PodStatuses (phase, conditions) ◀──┘
 * </pre>
 *
 * <p>Thread safety: {@link io.berth.agent.pod.PodDispatcher} runs on the sync loop's thread only;
 * {@link io.berth.agent.pod.PodWorkers}, {@link io.berth.agent.pod.PodStatusView} and the PLEG may
 * be called from any thread.
 */
package io.berth.agent.pod;
