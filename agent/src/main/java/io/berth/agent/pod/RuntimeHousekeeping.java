package io.berth.agent.pod;

import io.berth.agent.kuberuntime.GcPolicy;
import io.berth.agent.kuberuntime.ImageGcPolicy;
import java.time.Duration;

/**
 * How berth tidies the runtime behind its pods: container/sandbox garbage collection, container log
 * rotation and image garbage collection, with the kubelet's defaults.
 *
 * @param gcPolicy which dead containers are kept ({@link GcPolicy#DEFAULTS})
 * @param gcPeriod how often GC runs (the kubelet's {@code ContainerGCPeriod}, 1 min)
 * @param containerLogMaxSize a container's log file is rotated beyond this many bytes ({@code
 *     containerLogMaxSize}, 10Mi)
 * @param containerLogMaxFiles log files kept per container, the live one included ({@code
 *     containerLogMaxFiles}, 5; at least 2)
 * @param logRotationPeriod how often log sizes are checked ({@code containerLogMonitorInterval}, 10
 *     s)
 * @param imageGc which images are removed ({@link ImageGcPolicy#DEFAULTS})
 * @param imageGcPeriod how often image GC runs (the kubelet's {@code ImageGCPeriod}, 5 min)
 */
public record RuntimeHousekeeping(
    GcPolicy gcPolicy,
    Duration gcPeriod,
    long containerLogMaxSize,
    int containerLogMaxFiles,
    Duration logRotationPeriod,
    ImageGcPolicy imageGc,
    Duration imageGcPeriod) {
  public static final RuntimeHousekeeping DEFAULTS =
      new RuntimeHousekeeping(
          GcPolicy.DEFAULTS,
          ContainerGarbageCollector.PERIOD,
          10L * 1024 * 1024,
          5,
          Duration.ofSeconds(10),
          ImageGcPolicy.DEFAULTS,
          ImageGcPolicy.PERIOD);

  public RuntimeHousekeeping {
    if (gcPeriod.isNegative() || gcPeriod.isZero()) {
      throw new IllegalArgumentException("container GC period must be positive, was " + gcPeriod);
    }
    if (containerLogMaxSize <= 0) {
      throw new IllegalArgumentException(
          "containerLogMaxSize must be positive, was " + containerLogMaxSize);
    }
    if (containerLogMaxFiles < 2) {
      throw new IllegalArgumentException(
          "containerLogMaxFiles must be at least 2, was " + containerLogMaxFiles);
    }
    if (logRotationPeriod.isNegative() || logRotationPeriod.isZero()) {
      throw new IllegalArgumentException(
          "container log monitor interval must be positive, was " + logRotationPeriod);
    }
    if (imageGcPeriod.isNegative() || imageGcPeriod.isZero()) {
      throw new IllegalArgumentException("image GC period must be positive, was " + imageGcPeriod);
    }
  }

  /** The same housekeeping with another image GC policy. */
  public RuntimeHousekeeping withImageGc(ImageGcPolicy policy) {
    return new RuntimeHousekeeping(
        gcPolicy,
        gcPeriod,
        containerLogMaxSize,
        containerLogMaxFiles,
        logRotationPeriod,
        policy,
        imageGcPeriod);
  }
}
