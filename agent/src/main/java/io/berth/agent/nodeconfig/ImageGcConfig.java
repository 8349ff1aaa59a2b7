package io.berth.agent.nodeconfig;

import io.berth.agent.kuberuntime.ImageGcPolicy;
import java.time.Duration;

/**
 * The KubeletConfiguration's image garbage collection fields, read from the same document as {@link
 * KubeletConfig}; checked as the kubelet's configuration validation does.
 */
public record ImageGcConfig(ImageGcPolicy policy) {

  public static ImageGcConfig defaults() {
    return new ImageGcConfig(ImageGcPolicy.DEFAULTS);
  }

  static ImageGcConfig read(FieldReader r) {
    ImageGcPolicy d = ImageGcPolicy.DEFAULTS;
    int high = r.integer("imageGCHighThresholdPercent", d.highThresholdPercent(), 0, 100);
    int low = r.integer("imageGCLowThresholdPercent", d.lowThresholdPercent(), 0, 100);
    Duration minAge = r.duration("imageMinimumGCAge", d.minAge());
    Duration maxAge = r.duration("imageMaximumGCAge", d.maxAge());
    if (low >= high) {
      r.error(
          "imageGCLowThresholdPercent",
          "must be less than imageGCHighThresholdPercent (" + high + "), got " + low);
      return defaults();
    }
    if (!maxAge.isZero() && maxAge.compareTo(minAge) < 0) {
      r.error(
          "imageMaximumGCAge",
          "must be 0 or at least imageMinimumGCAge ("
              + GoDuration.format(minAge)
              + "), got "
              + GoDuration.format(maxAge));
      return defaults();
    }
    return new ImageGcConfig(new ImageGcPolicy(high, low, minAge, maxAge));
  }

  String toYaml() {
    Yaml y = new Yaml();
    y.raw("imageGCHighThresholdPercent", policy.highThresholdPercent());
    y.raw("imageGCLowThresholdPercent", policy.lowThresholdPercent());
    y.line("imageMaximumGCAge", GoDuration.format(policy.maxAge()));
    y.line("imageMinimumGCAge", GoDuration.format(policy.minAge()));
    return y.toString();
  }
}
