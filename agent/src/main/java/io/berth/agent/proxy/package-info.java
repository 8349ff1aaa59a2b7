/**
 * berth's kube-proxy: turns Services and EndpointSlices into a {@link
 * io.berth.netfilter.model.ServiceModel} and keeps the netfilter data plane in step with them.
 *
 * <pre>
 *  ServiceFileSource / (later) API watch
 *        │ ProxyEventHandler: onService*, onEndpointSlice*, *Synced
 *        ▼
 *  LocalEndpointSlices  (standalone: slices from berth's own pods, PodEndpointSlices, LocalPods)
 *        │ the same events, plus generated slices
 *        ▼
 *  Proxier ── ServiceChangeTracker   {previous, current} per Service until the next sync
 *        │  └─ EndpointsChangeTracker  EndpointSliceCache: slices merged per Service, deduplicated
 *        │ run()
 *        ▼
 *  BoundedFrequencyRunner (min interval + burst, max interval, retryAfter; Clock + Scheduler)
 *        │ syncProxyRules(): apply changes, build the model, FrontendClaims (one owner per frontend)
 *        ▼
 *  NetfilterBackend.sync(model, INCREMENTAL | FULL)  one atomic transaction
 *        │
 *        ▼
 *  ProxierStats → ProxierMetrics (Micrometer), ProxyHealth → ProxyHealthServer (:10256)
 *  AppliedListener → StaleConntrackCleanup (ctnetlink, after each successful sync)
 * </pre>
 *
 * <p>{@link ServiceProxy} wires these for {@code berth run} ({@link ServiceProxySettings}, {@link
 * ProxyMode}); {@code NodeAgent} owns it.
 *
 * <p>Thread safety: event handlers may be called from any thread (trackers are synchronized); syncs
 * run one at a time on the runner's scheduler thread. {@link ProxyHealth} and {@link
 * Proxier#stats()} may be read from any thread.
 */
package io.berth.agent.proxy;
