package io.berth.agent.kuberuntime;

import io.berth.cri.Container;
import io.berth.cri.ContainerState;
import io.berth.cri.PodSandbox;
import io.berth.cri.PodSandboxState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What one garbage collection removes (kuberuntime_gc.go {@code evictContainers} and {@code
 * evictSandboxes}), decided from one listing of berth's containers and sandboxes; no I/O.
 *
 * <ul>
 *   <li><b>Containers</b>: dead (exited or unknown) berth containers older than {@link
 *       GcPolicy#minAge()} form eviction units per (pod UID, container name). Unlike the kubelet, a
 *       created container that has not started yet is not counted as dead: it is the instance a
 *       sync is starting, and evicting the previous one for it would lose {@code lastState}. Units
 *       of pods whose content may be removed go entirely (only once all sources are ready); the
 *       others keep their newest {@link GcPolicy#maxPerPodContainer()} instances (the newest dead
 *       one is the container's {@code lastState} and its previous log); then the node-wide {@link
 *       GcPolicy#maxContainers()} limit, first evenly per unit, then oldest first.
 *   <li><b>Sandboxes</b>: a sandbox is active while ready or while a container (not removed by this
 *       plan) points at it. Of a removable pod every inactive sandbox goes; of any other pod every
 *       inactive sandbox but the newest one.
 * </ul>
 */
public final class ContainerGc {
  private ContainerGc() {}

  /** The containers and sandboxes to remove, oldest first. */
  public record Plan(List<Container> containers, List<PodSandbox> sandboxes) {
    public Plan {
      containers = List.copyOf(containers);
      sandboxes = List.copyOf(sandboxes);
    }
  }

  private record Unit(String podUid, String containerName) {}

  private static final Comparator<Container> NEWEST_FIRST =
      Comparator.comparing(Container::createdAt, Comparator.nullsLast(Comparator.reverseOrder()));

  /**
   * @param containers every container the runtime lists (others than berth's are ignored)
   * @param sandboxes every sandbox the runtime lists (others than berth's are ignored)
   * @param podContentRemovable whether a pod UID's content may go: the pod is deleted or unknown
   *     with all sources ready (the kubelet's {@code ShouldPodContentBeRemoved})
   */
  public static Plan plan(
      GcPolicy policy,
      List<Container> containers,
      List<PodSandbox> sandboxes,
      Predicate<String> podContentRemovable,
      Instant now) {
    List<Container> remove = new ArrayList<>();
    Map<Unit, List<Container>> units = evictableContainers(policy, containers, now);
    // created, not started yet: the instance a sync is starting, not a dead one
    for (Container c : containers) {
      String uid = c.labels().get(RuntimeLabels.POD_UID);
      if (uid != null && c.state() == ContainerState.CREATED && podContentRemovable.test(uid)) {
        remove.add(c);
      }
    }
    units
        .entrySet()
        .removeIf(
            e -> {
              if (podContentRemovable.test(e.getKey().podUid())) {
                remove.addAll(e.getValue());
                return true;
              }
              return false;
            });
    if (policy.maxPerPodContainer() >= 0) {
      keepNewestPerUnit(units, policy.maxPerPodContainer(), remove);
    }
    if (policy.maxContainers() >= 0 && count(units) > policy.maxContainers()) {
      int perUnit = Math.max(1, policy.maxContainers() / units.size());
      keepNewestPerUnit(units, perUnit, remove);
      int excess = count(units) - policy.maxContainers();
      if (excess > 0) {
        List<Container> all = new ArrayList<>();
        units.values().forEach(all::addAll);
        all.sort(NEWEST_FIRST);
        remove.addAll(all.subList(all.size() - excess, all.size()));
      }
    }
    remove.sort(NEWEST_FIRST.reversed());
    return new Plan(remove, evictableSandboxes(containers, remove, sandboxes, podContentRemovable));
  }

  private static Map<Unit, List<Container>> evictableContainers(
      GcPolicy policy, List<Container> containers, Instant now) {
    Instant newest = now.minus(policy.minAge());
    Map<Unit, List<Container>> units = new LinkedHashMap<>();
    for (Container c : containers) {
      String uid = c.labels().get(RuntimeLabels.POD_UID);
      String name = c.labels().get(RuntimeLabels.CONTAINER_NAME);
      if (uid == null
          || c.state() == ContainerState.RUNNING
          || c.state() == ContainerState.CREATED) {
        continue;
      }
      if (c.createdAt() != null && c.createdAt().isAfter(newest)) {
        continue;
      }
      name = name != null ? name : c.metadata() == null ? "" : c.metadata().name();
      units.computeIfAbsent(new Unit(uid, name), k -> new ArrayList<>()).add(c);
    }
    units.values().forEach(l -> l.sort(NEWEST_FIRST));
    return units;
  }

  private static void keepNewestPerUnit(
      Map<Unit, List<Container>> units, int keep, List<Container> remove) {
    for (List<Container> unit : units.values()) {
      while (unit.size() > keep) {
        remove.add(unit.remove(unit.size() - 1));
      }
    }
    units.values().removeIf(List::isEmpty);
  }

  private static int count(Map<Unit, List<Container>> units) {
    return units.values().stream().mapToInt(List::size).sum();
  }

  private static List<PodSandbox> evictableSandboxes(
      List<Container> containers,
      List<Container> removed,
      List<PodSandbox> sandboxes,
      Predicate<String> podContentRemovable) {
    Set<String> removedIds = new HashSet<>();
    removed.forEach(c -> removedIds.add(c.id()));
    Set<String> withContainers = new HashSet<>();
    for (Container c : containers) {
      if (!removedIds.contains(c.id())) {
        withContainers.add(c.podSandboxId());
      }
    }
    Map<String, List<PodSandbox>> byPod = new LinkedHashMap<>();
    for (PodSandbox s : sandboxes) {
      String uid = s.labels().get(RuntimeLabels.POD_UID);
      if (uid != null) {
        byPod.computeIfAbsent(uid, k -> new ArrayList<>()).add(s);
      }
    }
    Comparator<PodSandbox> newestFirst =
        Comparator.comparing(
            PodSandbox::createdAt, Comparator.nullsLast(Comparator.reverseOrder()));
    List<PodSandbox> remove = new ArrayList<>();
    byPod.forEach(
        (uid, list) -> {
          list.sort(newestFirst);
          int keepNewest = podContentRemovable.test(uid) ? 0 : 1;
          for (PodSandbox s : list.subList(Math.min(keepNewest, list.size()), list.size())) {
            boolean active = s.state() == PodSandboxState.READY || withContainers.contains(s.id());
            if (!active) {
              remove.add(s);
            }
          }
        });
    remove.sort(newestFirst.reversed());
    return remove;
  }
}
