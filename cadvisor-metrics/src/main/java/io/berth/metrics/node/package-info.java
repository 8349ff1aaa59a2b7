/**
 * Node-wide stats through OSHI ({@link io.berth.metrics.node.OshiNodeStatsSource}), the node's
 * registered {@link io.berth.metrics.node.NodeCapacity}, and eviction signals evaluated against the
 * kubelet's default hard thresholds into the MemoryPressure / DiskPressure / PIDPressure conditions
 * ({@link io.berth.metrics.node.NodePressure}).
 */
package io.berth.metrics.node;
