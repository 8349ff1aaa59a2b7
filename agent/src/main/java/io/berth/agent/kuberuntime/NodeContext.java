package io.berth.agent.kuberuntime;

import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;

/**
 * What the runtime manager needs to know about this node.
 *
 * @param nodeName the Node object's name ({@code spec.nodeName} of its pods)
 * @param hostIps the node's IPs, primary first ({@code status.hostIP(s)})
 * @param allocatable node allocatable ({@code cpu}, {@code memory}, ...): the downward API's value
 *     of a limit the container does not set
 * @param memoryCapacityBytes the machine's memory, for the Burstable {@code oom_score_adj}
 */
public record NodeContext(
    String nodeName,
    List<String> hostIps,
    Map<String, Quantity> allocatable,
    long memoryCapacityBytes) {
  public NodeContext {
    if (nodeName == null || nodeName.isEmpty()) {
      throw new IllegalArgumentException("NodeContext needs a node name");
    }
    if (memoryCapacityBytes <= 0) {
      throw new IllegalArgumentException(
          "memory capacity must be positive, got " + memoryCapacityBytes);
    }
    hostIps = hostIps == null ? List.of() : List.copyOf(hostIps);
    allocatable = allocatable == null ? Map.of() : Map.copyOf(allocatable);
  }
}
