package io.berth.metrics.summary;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/**
 * The kubelet Summary API ({@code /stats/summary}, {@code stats/v1alpha1}) as records. Field names
 * are those of the kubelet's JSON; {@code null} fields are omitted, as Go's {@code omitempty} does
 * for pointers. Times serialize as RFC 3339 seconds ({@code metav1.Time}).
 *
 * @param node node-level stats
 * @param pods per-pod stats
 */
public record Summary(Node node, List<Pod> pods) {

  /** {@code NodeStats}. */
  public record Node(
      String nodeName,
      List<Container> systemContainers,
      Instant startTime,
      Cpu cpu,
      Memory memory,
      Network network,
      Fs fs,
      Runtime runtime,
      Rlimit rlimit) {}

  /** {@code RuntimeStats}. */
  public record Runtime(Fs imageFs, Fs containerFs) {}

  /** {@code RlimitStats}. */
  public record Rlimit(Instant time, Long maxpid, Long curproc) {}

  /** {@code PodStats}. */
  public record Pod(
      PodReference podRef,
      Instant startTime,
      List<Container> containers,
      Cpu cpu,
      Memory memory,
      Network network,
      List<Volume> volume,
      @JsonProperty("ephemeral-storage") Fs ephemeralStorage,
      @JsonProperty("process_stats") ProcessStats processStats) {}

  /** {@code PodReference}. */
  public record PodReference(String name, String namespace, String uid) {}

  /** {@code ProcessStats}. */
  public record ProcessStats(@JsonProperty("process_count") Long processCount) {}

  /** {@code ContainerStats}. */
  public record Container(
      String name, Instant startTime, Cpu cpu, Memory memory, Fs rootfs, Fs logs) {}

  /** {@code CPUStats}. */
  public record Cpu(Instant time, Long usageNanoCores, Long usageCoreNanoSeconds) {}

  /** {@code MemoryStats}. */
  public record Memory(
      Instant time,
      Long availableBytes,
      Long usageBytes,
      Long workingSetBytes,
      Long rssBytes,
      Long pageFaults,
      Long majorPageFaults) {}

  /** {@code NetworkStats}: the default interface's counters inline, plus all interfaces. */
  public record Network(
      Instant time,
      String name,
      Long rxBytes,
      Long rxErrors,
      Long txBytes,
      Long txErrors,
      List<Interface> interfaces) {}

  /** {@code InterfaceStats}. */
  public record Interface(String name, Long rxBytes, Long rxErrors, Long txBytes, Long txErrors) {}

  /** {@code FsStats}. */
  public record Fs(
      Instant time,
      Long availableBytes,
      Long capacityBytes,
      Long usedBytes,
      Long inodesFree,
      Long inodes,
      Long inodesUsed) {}

  /** {@code VolumeStats} (filesystem stats of one pod volume). */
  public record Volume(
      String name,
      Instant time,
      Long availableBytes,
      Long capacityBytes,
      Long usedBytes,
      Long inodesFree,
      Long inodes,
      Long inodesUsed) {}
}
