/**
 * Graceful node shutdown (the kubelet's node shutdown manager): with {@code shutdownGracePeriod}
 * set, berth holds a systemd-logind <em>delay</em> inhibitor lock; when logind announces {@code
 * PrepareForShutdown(true)} berth stops admitting pods, terminates the running ones in priority
 * groups (ordinary pods first, critical pods last, each group within its grace period) and then
 * releases the lock so the shutdown proceeds.
 *
 * <pre>
 *   logind ──D-Bus──▶ DbusLogind ──PrepareForShutdown(true)──▶ NodeShutdownManager
 *                        ▲ Inhibit("shutdown","berth",…,"delay") → fd        │ per group:
 *                        └──────────── lock released (fd closed) ◀── NodePods.kill(pod, grace)
 *                                                                          awaitStopped(≤ grace)
 * </pre>
 */
package io.berth.agent.shutdown;
