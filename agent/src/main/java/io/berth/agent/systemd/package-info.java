/**
 * berth under systemd: the sd_notify protocol ({@code READY=1}, {@code STATUS=}, {@code
 * WATCHDOG=1}, {@code STOPPING=1}) sent as datagrams to {@code $NOTIFY_SOCKET} over Netty epoll,
 * and the watchdog keeper that pings only while the sync loop's heartbeat is fresh.
 *
 * <pre>
 *   sync loop ──beats──▶ Heartbeat ◀──reads── WatchdogKeeper ──every interval/2──▶ SdNotifier
 *                                                 (fresh? WATCHDOG=1 : nothing)       │
 *   NodeAgent ──READY=1 / STATUS= / STOPPING=1───────────────────────────────────────▶│──▶ systemd
 * </pre>
 */
package io.berth.agent.systemd;
