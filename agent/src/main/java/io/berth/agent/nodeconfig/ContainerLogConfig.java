package io.berth.agent.nodeconfig;

import io.berth.agent.pod.RuntimeHousekeeping;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.time.Duration;

/**
 * The KubeletConfiguration's container log rotation fields, read from the same document as {@link
 * KubeletConfig}.
 *
 * @param containerLogMaxSize bytes after which a container's log is rotated (kubelet default 10Mi)
 * @param containerLogMaxFiles files kept per container, the live one included (default 5, at least
 *     2)
 * @param containerLogMonitorInterval how often log sizes are checked (default 10 s)
 */
public record ContainerLogConfig(
    long containerLogMaxSize, int containerLogMaxFiles, Duration containerLogMonitorInterval) {

  /** The kubelet's defaults, which are berth's runtime housekeeping defaults. */
  public static ContainerLogConfig defaults() {
    RuntimeHousekeeping d = RuntimeHousekeeping.DEFAULTS;
    return new ContainerLogConfig(
        d.containerLogMaxSize(), d.containerLogMaxFiles(), d.logRotationPeriod());
  }

  static ContainerLogConfig read(FieldReader r) {
    ContainerLogConfig d = defaults();
    long size = r.parsed("containerLogMaxSize", d.containerLogMaxSize(), ContainerLogConfig::bytes);
    int files = r.integer("containerLogMaxFiles", d.containerLogMaxFiles(), 2, Integer.MAX_VALUE);
    Duration interval =
        r.positiveDuration("containerLogMonitorInterval", d.containerLogMonitorInterval());
    return new ContainerLogConfig(size, files, interval);
  }

  /** The housekeeping berth runs with these fields (GC as the kubelet's defaults). */
  public RuntimeHousekeeping housekeeping() {
    RuntimeHousekeeping d = RuntimeHousekeeping.DEFAULTS;
    return new RuntimeHousekeeping(
        d.gcPolicy(),
        d.gcPeriod(),
        containerLogMaxSize,
        containerLogMaxFiles,
        containerLogMonitorInterval,
        d.imageGc(),
        d.imageGcPeriod());
  }

  String toYaml() {
    Yaml y = new Yaml();
    y.raw("containerLogMaxFiles", containerLogMaxFiles);
    y.line("containerLogMaxSize", quantity(containerLogMaxSize));
    y.line("containerLogMonitorInterval", GoDuration.format(containerLogMonitorInterval));
    return y.toString();
  }

  /** A resource quantity such as {@code 10Mi} or {@code 50M}, in whole bytes above zero. */
  static long bytes(String v) {
    BigDecimal amount;
    try {
      amount = Quantity.getAmountInBytes(new Quantity(v));
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new IllegalArgumentException("must be a quantity such as 10Mi, got '" + v + "'");
    }
    if (amount.signum() <= 0 || amount.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw new IllegalArgumentException("must be a positive size such as 10Mi, got '" + v + "'");
    }
    return amount.longValue();
  }

  /** Bytes as the largest binary suffix that divides them (10485760 → 10Mi). */
  static String quantity(long bytes) {
    String[] suffixes = {"", "Ki", "Mi", "Gi", "Ti"};
    int i = 0;
    long v = bytes;
    while (i < suffixes.length - 1 && v % 1024 == 0) {
      v /= 1024;
      i++;
    }
    return v + suffixes[i];
  }
}
