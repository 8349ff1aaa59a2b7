package io.berth.agent.shutdown;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Pods of priority {@code priority} and above (up to the next group's) get {@code grace} to stop
 * when the node shuts down (the kubelet's {@code ShutdownGracePeriodByPodPriority}).
 */
public record ShutdownGroup(int priority, Duration grace) {
  /** The priority of the built-in {@code system-cluster-critical} class. */
  public static final int SYSTEM_CRITICAL = 2_000_000_000;

  /** The priority of the built-in {@code system-node-critical} class. */
  public static final int NODE_CRITICAL = 2_000_001_000;

  /**
   * The groups in ascending priority: {@code shutdownGracePeriodByPodPriority} when given, else the
   * kubelet's two groups from {@code shutdownGracePeriod} and {@code
   * shutdownGracePeriodCriticalPods} (priority 0 and up get the difference, critical pods the
   * critical share); none when the feature is off. Whole seconds, as the kubelet counts them.
   */
  public static List<ShutdownGroup> of(NodeShutdownSettings s) {
    if (!s.byPodPriority().isEmpty()) {
      return s.byPodPriority().stream()
          .sorted(Comparator.comparingInt(ShutdownGroup::priority))
          .toList();
    }
    if (!s.enabled()) {
      return List.of();
    }
    Duration critical = Duration.ofSeconds(s.criticalPodsGracePeriod().toSeconds());
    Duration ordinary = Duration.ofSeconds(s.gracePeriod().toSeconds()).minus(critical);
    return List.of(new ShutdownGroup(0, ordinary), new ShutdownGroup(SYSTEM_CRITICAL, critical));
  }

  /**
   * A pod's priority: {@code spec.priority} when set (the API server's priority admission fills
   * it), else that of the built-in class it names, else 0 (static pods have no admission).
   */
  public static int priority(Pod pod) {
    Integer p = pod.getSpec().getPriority();
    if (p != null) {
      return p;
    }
    String cls = pod.getSpec().getPriorityClassName();
    if ("system-node-critical".equals(cls)) {
      return NODE_CRITICAL;
    }
    if ("system-cluster-critical".equals(cls)) {
      return SYSTEM_CRITICAL;
    }
    return 0;
  }

  /**
   * Sorts {@code pods} into {@code groups} (ascending priority) as the kubelet's {@code
   * groupByPriority}: a pod goes to the highest group whose priority is at most its own; pods below
   * the lowest group go to the lowest.
   *
   * @return one list per group, in the groups' order
   */
  public static List<List<Pod>> assign(List<ShutdownGroup> groups, List<Pod> pods) {
    List<ShutdownGroup> sorted =
        groups.stream().sorted(Comparator.comparingInt(ShutdownGroup::priority)).toList();
    List<List<Pod>> out = new ArrayList<>();
    sorted.forEach(g -> out.add(new ArrayList<>()));
    for (Pod pod : pods) {
      int p = priority(pod);
      int index = 0;
      for (int i = 0; i < sorted.size(); i++) {
        if (sorted.get(i).priority() <= p) {
          index = i;
        }
      }
      out.get(index).add(pod);
    }
    return out;
  }
}
