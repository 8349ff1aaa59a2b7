/**
 * Prometheus text exposition (format 0.0.4): a small deterministic writer ({@link
 * io.berth.metrics.exposition.TextExposition}) and the two renderers the kubelet HTTP API serves,
 * {@link io.berth.metrics.exposition.CadvisorMetricsRenderer} ({@code /metrics/cadvisor}) and
 * {@link io.berth.metrics.exposition.ResourceMetricsRenderer} ({@code /metrics/resource}).
 */
package io.berth.metrics.exposition;
