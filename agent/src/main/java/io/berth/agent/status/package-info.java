/**
 * Reporting pods back to the API server: {@link io.berth.agent.status.StatusManager} writes the
 * statuses berth computes to the pods' {@code /status} and makes the final delete of terminated
 * pods, like the kubelet's {@code pkg/kubelet/status}.
 */
package io.berth.agent.status;
