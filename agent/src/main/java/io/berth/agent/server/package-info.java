/**
 * The node API: the kubelet's HTTPS port (10250), authenticated and authorized as the kubelet's.
 *
 * <pre>
 *   client ─TLS 1.2+─▶ NodeApiServer (epoll, connection limit, handshake timeout)
 *     ─▶ NodeRequestHandler (head/body limits, request deadline, one request at a time)
 *     ─▶ NodeApiRoutes on a virtual thread:
 *          RequestAuthenticator  client cert (CN/O) │ bearer → TokenReview (cached) │ anonymous?
 *          NodeAuthorizer        nodes/{proxy,stats,metrics,log,spec} → SubjectAccessReview
 *                                (cached 5 min allowed / 30 s denied) │ AlwaysAllow
 *          routes                berth's local routes │ /runningpods/ │ /containerLogs/ │ /logs/
 *                                │ /exec /attach /portForward ─▶ CRI streaming URL ─▶ UpgradeRelay
 * </pre>
 *
 * <p>{@link io.berth.agent.server.NodeApi} builds it; {@code NodeAgent} wires it. See
 * agent/docs/node-api.md.
 */
package io.berth.agent.server;
