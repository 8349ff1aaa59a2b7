/**
 * The probers: TCP connect, HTTP(S) GET, gRPC health checking and exec through the CRI, each
 * turning one probe action into a {@link io.berth.probes.ProbeResult} within its timeout.
 *
 * <pre>
 *   HandlerProber ─┬─ TcpProber  ─┐
 *                  ├─ HttpProber ─┼─ ProbeTransport (one Netty epoll group, SO_LINGER 0, open-channel count)
 *                  ├─ GrpcProber ─┘    (grpc-netty on the same group)
 *                  └─ ExecProber ── ExecRunner (the agent's CRI ExecSync)
 * </pre>
 *
 * <p>Thread safety: all probers are safe for concurrent use; a network probe's state is confined to
 * one event loop, and its timeout is a timer on that loop.
 */
package io.berth.probes.prober;
