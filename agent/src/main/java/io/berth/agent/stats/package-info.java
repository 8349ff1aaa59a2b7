/**
 * What the node's metrics endpoints serve: the pods and containers the runtime runs, mapped to the
 * cadvisor-metrics library's inputs, and the HTTP routes for {@code /metrics}, {@code
 * /metrics/cadvisor}, {@code /metrics/resource} and {@code /stats/summary}.
 *
 * <p>Collection is lazy: nothing is listed or read until someone scrapes, and concurrent scrapes
 * within a second share one collection (cadvisor-metrics' {@code StatsCollector}).
 */
package io.berth.agent.stats;
