/**
 * Kubernetes events from berth, as the kubelet records them (client-go {@code tools/record} and the
 * kubelet's {@code events} package): an {@link io.berth.agent.events.EventRecorder} the pod, probe
 * and node code call, a no-op one for standalone mode, and {@link
 * io.berth.agent.events.ApiEventRecorder}, which queues, correlates ({@link
 * io.berth.agent.events.EventCorrelator}: dedup into counts, aggregation of similar events, a spam
 * filter) and writes core/v1 Events to the API server with retries. See agent/docs/kubeapi.md.
 */
package io.berth.agent.events;
