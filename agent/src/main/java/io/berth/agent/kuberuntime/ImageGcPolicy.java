package io.berth.agent.kuberuntime;

import java.time.Duration;

/**
 * The kubelet's image GC policy ({@code images.ImageGCPolicy}, from the KubeletConfiguration).
 *
 * @param highThresholdPercent image-filesystem usage at or above which images are removed ({@code
 *     imageGCHighThresholdPercent}, 85); 100 turns the space-based collection off
 * @param lowThresholdPercent usage the collection frees down to ({@code
 *     imageGCLowThresholdPercent}, 80); below the high threshold
 * @param minAge an image first seen less than this long ago is kept ({@code imageMinimumGCAge}, 2
 *     min)
 * @param maxAge an image unused for longer than this is removed whatever the usage ({@code
 *     imageMaximumGCAge}); zero for never (the default)
 */
public record ImageGcPolicy(
    int highThresholdPercent, int lowThresholdPercent, Duration minAge, Duration maxAge) {
  /** The kubelet's defaults: 85 %, 80 %, 2 min, no maximum age. */
  public static final ImageGcPolicy DEFAULTS =
      new ImageGcPolicy(85, 80, Duration.ofMinutes(2), Duration.ZERO);

  /** The kubelet's {@code ImageGCPeriod}. */
  public static final Duration PERIOD = Duration.ofMinutes(5);

  /** Checks the fields as the kubelet's configuration validation does. */
  public ImageGcPolicy {
    if (highThresholdPercent < 0 || highThresholdPercent > 100) {
      throw new IllegalArgumentException(
          "imageGCHighThresholdPercent must be between 0 and 100, was " + highThresholdPercent);
    }
    if (lowThresholdPercent < 0 || lowThresholdPercent > 100) {
      throw new IllegalArgumentException(
          "imageGCLowThresholdPercent must be between 0 and 100, was " + lowThresholdPercent);
    }
    if (lowThresholdPercent >= highThresholdPercent) {
      throw new IllegalArgumentException(
          "imageGCLowThresholdPercent ("
              + lowThresholdPercent
              + ") must be less than imageGCHighThresholdPercent ("
              + highThresholdPercent
              + ")");
    }
    if (minAge == null || minAge.isNegative()) {
      throw new IllegalArgumentException("imageMinimumGCAge must be 0 or more, was " + minAge);
    }
    if (maxAge == null || maxAge.isNegative()) {
      throw new IllegalArgumentException("imageMaximumGCAge must be 0 or more, was " + maxAge);
    }
    if (!maxAge.isZero() && maxAge.compareTo(minAge) < 0) {
      throw new IllegalArgumentException(
          "imageMaximumGCAge ("
              + maxAge
              + ") must be greater than imageMinimumGCAge ("
              + minAge
              + ")");
    }
  }

  /** Whether usage ever triggers a collection (the kubelet skips it at a 100 % threshold). */
  public boolean spaceBased() {
    return highThresholdPercent < 100;
  }
}
