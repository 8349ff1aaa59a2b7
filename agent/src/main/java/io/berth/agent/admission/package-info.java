/**
 * Pod admission: whether this node takes a pod at all, decided once per pod before its worker
 * starts it (the kubelet's {@code canAdmitPod} with its admit handlers).
 *
 * <pre>
 *   new pod ──▶ PodAdmitter.admit(pod, admitted pods) ──▶ Admit
 *                  │ sysctls (safe list + allowedUnsafeSysctls, namespaced only)
 *                  │ max pods, cpu/memory requests against allocatable
 *                  │ hostPorts (other pods, and sockets already bound on the node)
 *                  └──────────────────────────────────────────▶ Reject(reason, message)
 * </pre>
 *
 * A rejected pod never gets a sandbox; its status is phase Failed with the handler's reason ({@code
 * SysctlForbidden}, {@code OutOfpods}, {@code OutOfcpu}, {@code OutOfmemory}, {@code NodePorts})
 * and message, as the kubelet reports it. Other pods are not affected.
 */
package io.berth.agent.admission;
