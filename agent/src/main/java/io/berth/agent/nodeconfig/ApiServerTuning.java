package io.berth.agent.nodeconfig;

import java.time.Duration;

/**
 * The KubeletConfiguration's API-server tuning fields berth honours, read from the same document as
 * {@link KubeletConfig}, with the kubelet's defaults.
 *
 * @param nodeStatusUpdateFrequency how often the node status is computed (default 10 s)
 * @param nodeStatusReportFrequency how often an unchanged status is still sent (default 5 min; when
 *     only {@code nodeStatusUpdateFrequency} is given, that value, as the kubelet's defaulting)
 * @param nodeLeaseDurationSeconds the node Lease's {@code leaseDurationSeconds} (default 40); the
 *     lease is renewed every quarter of it, as the kubelet
 * @param kubeAPIQPS requests per second to the API server (default 50)
 * @param kubeAPIBurst requests allowed above that rate in a burst (default 100)
 */
public record ApiServerTuning(
    Duration nodeStatusUpdateFrequency,
    Duration nodeStatusReportFrequency,
    int nodeLeaseDurationSeconds,
    int kubeAPIQPS,
    int kubeAPIBurst) {
  /** The kubelet's {@code nodeLeaseRenewIntervalFraction}. */
  private static final double LEASE_RENEW_FRACTION = 0.25;

  public ApiServerTuning {
    if (!nodeStatusUpdateFrequency.isPositive()
        || !nodeStatusReportFrequency.isPositive()
        || nodeLeaseDurationSeconds < 1
        || kubeAPIQPS < 1
        || kubeAPIBurst < 1) {
      throw new IllegalArgumentException(
          "API-server tuning out of range: update "
              + nodeStatusUpdateFrequency
              + ", report "
              + nodeStatusReportFrequency
              + ", lease "
              + nodeLeaseDurationSeconds
              + " s, qps "
              + kubeAPIQPS
              + ", burst "
              + kubeAPIBurst);
    }
  }

  /** The kubelet's defaults. */
  public static ApiServerTuning defaults() {
    return new ApiServerTuning(Duration.ofSeconds(10), Duration.ofMinutes(5), 40, 50, 100);
  }

  /** How often the node Lease is renewed: a quarter of its duration (10 s for 40 s). */
  public Duration leaseRenewInterval() {
    return Duration.ofMillis(Math.round(nodeLeaseDurationSeconds * 1000L * LEASE_RENEW_FRACTION));
  }

  static ApiServerTuning read(FieldReader r) {
    ApiServerTuning d = defaults();
    boolean updateGiven = r.has("nodeStatusUpdateFrequency");
    Duration update =
        r.positiveDuration("nodeStatusUpdateFrequency", d.nodeStatusUpdateFrequency());
    // the kubelet's defaulting: without a report frequency, an explicit update frequency is also
    // the report frequency (the behaviour from before node leases)
    Duration report =
        r.positiveDuration(
            "nodeStatusReportFrequency", updateGiven ? update : d.nodeStatusReportFrequency());
    int lease =
        r.integer("nodeLeaseDurationSeconds", d.nodeLeaseDurationSeconds(), 1, Integer.MAX_VALUE);
    int qps = r.integer("kubeAPIQPS", d.kubeAPIQPS(), 1, Integer.MAX_VALUE);
    int burst = r.integer("kubeAPIBurst", d.kubeAPIBurst(), 1, Integer.MAX_VALUE);
    return new ApiServerTuning(update, report, lease, qps, burst);
  }

  String toYaml() {
    Yaml y = new Yaml();
    y.raw("kubeAPIBurst", kubeAPIBurst);
    y.raw("kubeAPIQPS", kubeAPIQPS);
    y.raw("nodeLeaseDurationSeconds", nodeLeaseDurationSeconds);
    y.line("nodeStatusReportFrequency", GoDuration.format(nodeStatusReportFrequency));
    y.line("nodeStatusUpdateFrequency", GoDuration.format(nodeStatusUpdateFrequency));
    return y.toString();
  }
}
