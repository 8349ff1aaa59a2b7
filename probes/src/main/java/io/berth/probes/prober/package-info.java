/**
 * The probers: TCP connect, HTTP(S) GET, gRPC health checking and exec through the CRI, each
 * turning one probe action into a {@link io.berth.probes.ProbeResult} within its timeout.
 *
 * <pre>
 *   HandlerProber ─┬─ TcpProber  ─┐   (EpollTcpConnect: a bare socket in the loop's epoll set)
 *                  ├─ HttpProber ─┼─ ProbeTransport (one Netty epoll group, SO_LINGER 0, open-channel count)
 *                  │   └ HttpExchange: HttpGetRequest (bytes out), HttpResponseParser (bytes in);
 *                  │     plain HTTP on EpollHttpConnection (bare socket), HTTPS on a Netty channel
 *                  ├─ GrpcProber ─┘    (grpc-netty on the same group)
 *                  └─ ExecProber ── ExecRunner (the agent's CRI ExecSync)
 * </pre>
 *
 * <p>{@code prepare}: a worker binds its probe once ({@link io.berth.probes.Prober#prepare}), so
 * the URL, the encoded request and an IP literal's address are made once, not every period.
 *
 * <p>Thread safety: all probers are safe for concurrent use; a network probe's state is confined to
 * one event loop, and its timeout is a timer on that loop.
 */
package io.berth.probes.prober;
