package io.berth.agent.pod;

import io.berth.agent.kuberuntime.CgroupNames;
import io.berth.agent.kuberuntime.LinuxResources;
import io.berth.agent.kuberuntime.PodResourceConfig;
import io.berth.agent.kuberuntime.QosClass;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pod cgroups with the cgroupfs driver on cgroup v1 (hybrid included): the directory is made in
 * every mounted v1 hierarchy, as libcontainer's cgroupfs manager does, and sized through {@code
 * cpu.shares}, {@code cpu.cfs_period_us}/{@code cpu.cfs_quota_us} and {@code memory.limit_in_bytes}
 * from {@link PodResourceConfig}. New cpuset levels get their parent's {@code cpus}/{@code mems},
 * and the {@code burstable} and {@code besteffort} levels get the CPU shares the kubelet's QoS
 * container manager gives them ({@link #updateQosCgroups}).
 *
 * <p>Thread safety: pod workers call it for their own pods; creating shared parents is idempotent.
 */
public final class CgroupfsPodCgroups implements PodCgroups {
  private static final Logger log = LoggerFactory.getLogger(CgroupfsPodCgroups.class);

  private final CgroupNames names;
  private final List<Path> hierarchies;
  private final Path cpu;
  private final Path memory;
  private final Path cpuset;
  private final Supplier<? extends Collection<Pod>> activePods;

  /**
   * @param hierarchies every cgroup v1 mount point (named ones such as {@code name=systemd} too)
   * @param cpu the mount point holding the {@code cpu} controller
   * @param memory the mount point holding the {@code memory} controller
   * @param cpuset the mount point holding {@code cpuset}; null when absent
   * @param activePods the pods on the node that may still run containers (for the QoS levels)
   */
  public CgroupfsPodCgroups(
      CgroupNames names,
      List<Path> hierarchies,
      Path cpu,
      Path memory,
      Path cpuset,
      Supplier<? extends Collection<Pod>> activePods) {
    this.names = names;
    this.activePods = activePods;
    this.hierarchies = List.copyOf(hierarchies);
    this.cpu = cpu;
    this.memory = memory;
    this.cpuset = cpuset;
  }

  /**
   * The pod cgroups of this host from its mountinfo text, or {@link PodCgroups.Unmanaged} when
   * there is no v1 cpu and memory hierarchy (cgroup v2 only: not implemented yet).
   */
  public static PodCgroups detect(
      String mountinfo, CgroupNames names, Supplier<? extends Collection<Pod>> activePods) {
    Set<Path> all = new LinkedHashSet<>();
    Path cpu = null;
    Path memory = null;
    Path cpuset = null;
    for (String line : mountinfo.split("\n")) {
      String[] f = line.trim().split(" ");
      int dash = List.of(f).indexOf("-");
      if (dash < 5 || dash + 3 >= f.length || !f[dash + 1].equals("cgroup")) {
        continue;
      }
      Path mount = Path.of(f[4].replace("\\040", " "));
      all.add(mount);
      for (String option : f[dash + 3].split(",")) {
        switch (option) {
          case "cpu" -> cpu = cpu == null ? mount : cpu;
          case "memory" -> memory = memory == null ? mount : memory;
          case "cpuset" -> cpuset = cpuset == null ? mount : cpuset;
          default -> {}
        }
      }
    }
    if (cpu == null || memory == null) {
      return new PodCgroups.Unmanaged(
          "no cgroup v1 cpu and memory hierarchies (cgroup v2 pod cgroups are not implemented)");
    }
    return new CgroupfsPodCgroups(names, List.copyOf(all), cpu, memory, cpuset, activePods);
  }

  private static Path under(Path mount, String cgroup) {
    return mount.resolve(cgroup.substring(1));
  }

  @Override
  public void ensureExists(Pod pod) {
    String cgroup = names.podCgroupParent(pod);
    if (Files.isDirectory(under(memory, cgroup)) && Files.isDirectory(under(cpu, cgroup))) {
      return;
    }
    String what = "pod " + pod.getMetadata().getName() + " cgroup " + cgroup;
    PodResourceConfig config = PodResourceConfig.of(pod);
    if (QosClass.of(pod) != QosClass.GUARANTEED) {
      // as the kubelet before a new pod cgroup: the QoS levels first, with this pod counted
      List<Pod> active = new ArrayList<>(activePods.get());
      if (active.stream().noneMatch(p -> uid(p).equals(uid(pod)))) {
        active.add(pod);
      }
      updateQosCgroups(active);
    }
    try {
      createEverywhere(cgroup);
      Path c = under(cpu, cgroup);
      write(c.resolve("cpu.shares"), config.cpuShares());
      if (config.cpuQuota() != null) {
        write(c.resolve("cpu.cfs_period_us"), config.cpuPeriod());
        write(c.resolve("cpu.cfs_quota_us"), config.cpuQuota());
      }
      if (config.memoryLimit() != null) {
        write(under(memory, cgroup).resolve("memory.limit_in_bytes"), config.memoryLimit());
      }
    } catch (IOException e) {
      throw new PodCgroupException(what + ": cannot create it: " + e, e);
    }
    log.debug("{}: created with {}", what, config);
  }

  @Override
  public void updateQosCgroups(Collection<Pod> activePods) {
    long burstableMilliCpu = 0;
    for (Pod p : activePods) {
      if (QosClass.of(p) == QosClass.BURSTABLE) {
        burstableMilliCpu += PodResourceConfig.cpuRequestMilli(p);
      }
    }
    setShares(QosClass.BURSTABLE, LinuxResources.milliCpuToShares(burstableMilliCpu));
    setShares(QosClass.BEST_EFFORT, LinuxResources.MIN_SHARES);
  }

  /** Creates the QoS level in every hierarchy unless it exists, then writes its CPU shares. */
  private void setShares(QosClass qos, long shares) {
    String cgroup = names.qosCgroup(qos);
    try {
      createEverywhere(cgroup);
      Path file = under(cpu, cgroup).resolve("cpu.shares");
      String now = Files.exists(file) ? Files.readString(file).trim() : "";
      if (!now.equals(Long.toString(shares))) {
        write(file, shares);
        log.debug("QoS cgroup {}: cpu.shares {} -> {}", cgroup, now, shares);
      }
    } catch (IOException e) {
      throw new PodCgroupException("QoS cgroup " + cgroup + ": cannot size it: " + e, e);
    }
  }

  private static String uid(Pod p) {
    return String.valueOf(p.getMetadata().getUid());
  }

  /** Makes the cgroup in every v1 hierarchy, as libcontainer's cgroupfs manager does. */
  private void createEverywhere(String cgroup) throws IOException {
    for (Path h : hierarchies) {
      if (h.equals(cpuset)) {
        createCpuset(cgroup);
      } else {
        Files.createDirectories(under(h, cgroup));
      }
    }
  }

  /** Each new cpuset level copies its parent's cpus and mems, or no task could join below it. */
  private void createCpuset(String cgroup) throws IOException {
    Path dir = cpuset;
    for (Path part : Path.of(cgroup.substring(1))) {
      Path parent = dir;
      dir = dir.resolve(part.toString());
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir);
        for (String file : List.of("cpuset.cpus", "cpuset.mems")) {
          Path own = dir.resolve(file);
          Path inherited = parent.resolve(file);
          if (Files.exists(inherited) && (!Files.exists(own) || Files.readString(own).isBlank())) {
            Files.writeString(own, Files.readString(inherited).trim());
          }
        }
      }
    }
  }

  private static void write(Path file, long value) throws IOException {
    Files.writeString(file, Long.toString(value));
  }

  @Override
  public void destroy(String podUid) {
    String name = "pod" + podUid;
    List<String> failures = new ArrayList<>();
    for (QosClass qos : QosClass.values()) {
      String cgroup = names.qosCgroup(qos) + "/" + name;
      cgroup = cgroup.startsWith("//") ? cgroup.substring(1) : cgroup;
      for (Path h : hierarchies) {
        Path dir = under(h, cgroup);
        if (!Files.isDirectory(dir)) {
          continue;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
          // rmdir leaves first; cgroupfs removes the control files with the directory
          for (Path d :
              walk.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(d);
          }
        } catch (NoSuchFileException gone) {
          // removed meanwhile
        } catch (IOException e) {
          failures.add(dir + ": " + e);
        }
      }
    }
    if (!failures.isEmpty()) {
      throw new PodCgroupException(
          "pod " + podUid + ": cannot remove its cgroup: " + String.join("; ", failures), null);
    }
  }

  @Override
  public void removeOrphans(Predicate<String> removable) {
    Set<String> uids = new LinkedHashSet<>();
    for (QosClass qos : QosClass.values()) {
      Path dir = under(memory, names.qosCgroup(qos));
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "pod*")) {
        ds.forEach(p -> uids.add(p.getFileName().toString().substring(3)));
      } catch (IOException e) {
        log.warn("pod cgroups: cannot list {}: {}", dir, e.toString());
      }
    }
    for (String uid : uids) {
      if (!removable.test(uid)) {
        continue;
      }
      try {
        destroy(uid);
        log.info("removed the cgroup of removed pod {}", uid);
      } catch (PodCgroupException e) {
        log.warn("{} (retrying in the next period)", e.getMessage());
      }
    }
  }
}
