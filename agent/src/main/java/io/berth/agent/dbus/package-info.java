/**
 * A minimal D-Bus client: the wire format (little-endian marshalling of the basic types, arrays,
 * structs, dict entries and variants with the specification's alignment rules), SASL {@code
 * EXTERNAL} authentication, unix fd passing ({@code SCM_RIGHTS} through libc {@code sendmsg} /
 * {@code recvmsg} via jnr-ffi), method calls and replies, signals and incoming method calls.
 *
 * <pre>
 *   DbusConnection ──call()──▶ WireWriter ─▶ DbusMessage bytes ─▶ UnixSocket.send (+ fds)
 *        ▲                                                                │
 *        └── replies by serial / signals / method calls ◀─ WireReader ◀─ reader thread (recvmsg)
 * </pre>
 *
 * <p>It knows only what berth needs from the system bus (logind's inhibitor locks and its {@code
 * PrepareForShutdown} signal): no introspection, no object export beyond answering calls.
 */
package io.berth.agent.dbus;
