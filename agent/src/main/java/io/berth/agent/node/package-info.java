/**
 * The node in the API server: registration and status ({@link
 * io.berth.agent.node.NodeStatusReporter}, built by {@link io.berth.agent.node.NodeStatusBuilder}
 * from {@link io.berth.agent.node.NodeFacts} and measured capacity/pressure) and the heartbeat
 * lease ({@link io.berth.agent.node.NodeLease}), like the kubelet's node status and node lease
 * controllers.
 */
package io.berth.agent.node;
