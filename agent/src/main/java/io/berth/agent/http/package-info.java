/**
 * berth's HTTP API: one Netty epoll event loop accepts and parses requests, and handlers run on
 * virtual threads, because a scrape reads cgroup files and may block.
 *
 * <pre>
 *   socket ─▶ IdleStateHandler ─▶ HttpServerCodec (line/header limits) ─▶ HttpObjectAggregator
 *          (body limit) ─▶ RequestDispatcher ─▶ HttpRoutes ─▶ handler on a virtual thread
 *          ─▶ HttpReply written back on the event loop
 * </pre>
 *
 * <p>A slow client costs a channel, never a thread. Oversized request lines and headers get 431,
 * oversized bodies 413, unknown paths 404, other methods 405. A failing handler gets 500 with a
 * fixed body, so nothing internal leaks into the response; the failure is logged with its path.
 *
 * <p>Routes wrapped in {@link io.berth.agent.http.GzipNegotiation} (the metrics endpoints) answer
 * gzipped when the request accepts gzip; the reply's {@link io.berth.agent.http.ContentCoding}
 * tells both listeners (this one and the node API's) which headers go with it.
 */
package io.berth.agent.http;
