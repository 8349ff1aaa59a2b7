package io.berth.metrics.exposition;

import static io.berth.metrics.exposition.MetricType.COUNTER;
import static io.berth.metrics.exposition.MetricType.GAUGE;

/** cAdvisor's metric families as berth emits them (names, help, types as in cAdvisor's source). */
final class CadvisorFamilies {
  private CadvisorFamilies() {}

  static final MetricFamily SCRAPE_ERROR =
      f(
          "container_scrape_error",
          "1 if there was an error while getting container metrics, 0 otherwise",
          GAUGE);
  static final MetricFamily LAST_SEEN =
      f("container_last_seen", "Last time a container was seen by the exporter", GAUGE);
  static final MetricFamily START_TIME =
      f(
          "container_start_time_seconds",
          "Start time of the container since unix epoch in seconds.",
          GAUGE);
  static final MetricFamily CPU_USER =
      f(
          "container_cpu_user_seconds_total",
          "Cumulative user cpu time consumed in seconds.",
          COUNTER);
  static final MetricFamily CPU_SYSTEM =
      f(
          "container_cpu_system_seconds_total",
          "Cumulative system cpu time consumed in seconds.",
          COUNTER);
  static final MetricFamily CPU_USAGE =
      f("container_cpu_usage_seconds_total", "Cumulative cpu time consumed in seconds.", COUNTER);
  static final MetricFamily CFS_PERIODS =
      f(
          "container_cpu_cfs_periods_total",
          "Number of elapsed enforcement period intervals.",
          COUNTER);
  static final MetricFamily CFS_THROTTLED_PERIODS =
      f(
          "container_cpu_cfs_throttled_periods_total",
          "Number of throttled period intervals.",
          COUNTER);
  static final MetricFamily CFS_THROTTLED_SECONDS =
      f(
          "container_cpu_cfs_throttled_seconds_total",
          "Total time duration the container has been throttled.",
          COUNTER);
  static final MetricFamily MEMORY_CACHE =
      f("container_memory_cache", "Number of bytes of page cache memory.", GAUGE);
  static final MetricFamily MEMORY_RSS = f("container_memory_rss", "Size of RSS in bytes.", GAUGE);
  static final MetricFamily MEMORY_MAPPED_FILE =
      f("container_memory_mapped_file", "Size of memory mapped files in bytes.", GAUGE);
  static final MetricFamily MEMORY_SWAP =
      f("container_memory_swap", "Container swap usage in bytes.", GAUGE);
  static final MetricFamily MEMORY_FAILCNT =
      f("container_memory_failcnt", "Number of memory usage hits limits", COUNTER);
  static final MetricFamily MEMORY_USAGE =
      f(
          "container_memory_usage_bytes",
          "Current memory usage in bytes, including all memory regardless of when it was accessed",
          GAUGE);
  static final MetricFamily MEMORY_MAX_USAGE =
      f("container_memory_max_usage_bytes", "Maximum memory usage recorded in bytes", GAUGE);
  static final MetricFamily MEMORY_WORKING_SET =
      f("container_memory_working_set_bytes", "Current working set in bytes.", GAUGE);
  static final MetricFamily OOM_EVENTS =
      f(
          "container_oom_events_total",
          "Count of out of memory events observed for the container",
          COUNTER);
  static final MetricFamily FS_READS_BYTES =
      f("container_fs_reads_bytes_total", "Cumulative count of bytes read", COUNTER);
  static final MetricFamily FS_WRITES_BYTES =
      f("container_fs_writes_bytes_total", "Cumulative count of bytes written", COUNTER);
  static final MetricFamily FS_READS =
      f("container_fs_reads_total", "Cumulative count of reads completed", COUNTER);
  static final MetricFamily FS_WRITES =
      f("container_fs_writes_total", "Cumulative count of writes completed", COUNTER);
  static final MetricFamily NET_RX_BYTES =
      f("container_network_receive_bytes_total", "Cumulative count of bytes received", COUNTER);
  static final MetricFamily NET_RX_PACKETS =
      f("container_network_receive_packets_total", "Cumulative count of packets received", COUNTER);
  static final MetricFamily NET_RX_DROPPED =
      f(
          "container_network_receive_packets_dropped_total",
          "Cumulative count of packets dropped while receiving",
          COUNTER);
  static final MetricFamily NET_RX_ERRORS =
      f(
          "container_network_receive_errors_total",
          "Cumulative count of errors encountered while receiving",
          COUNTER);
  static final MetricFamily NET_TX_BYTES =
      f("container_network_transmit_bytes_total", "Cumulative count of bytes transmitted", COUNTER);
  static final MetricFamily NET_TX_PACKETS =
      f(
          "container_network_transmit_packets_total",
          "Cumulative count of packets transmitted",
          COUNTER);
  static final MetricFamily NET_TX_DROPPED =
      f(
          "container_network_transmit_packets_dropped_total",
          "Cumulative count of packets dropped while transmitting",
          COUNTER);
  static final MetricFamily NET_TX_ERRORS =
      f(
          "container_network_transmit_errors_total",
          "Cumulative count of errors encountered while transmitting",
          COUNTER);
  static final MetricFamily PROCESSES =
      f("container_processes", "Number of processes running inside the container.", GAUGE);
  static final MetricFamily THREADS =
      f("container_threads", "Number of threads running inside the container", GAUGE);
  static final MetricFamily THREADS_MAX =
      f(
          "container_threads_max",
          "Maximum number of threads allowed inside the container, infinity if value is zero",
          GAUGE);
  static final MetricFamily SPEC_CPU_PERIOD =
      f("container_spec_cpu_period", "CPU period of the container.", GAUGE);
  static final MetricFamily SPEC_CPU_QUOTA =
      f("container_spec_cpu_quota", "CPU quota of the container.", GAUGE);
  static final MetricFamily SPEC_CPU_SHARES =
      f("container_spec_cpu_shares", "CPU share of the container.", GAUGE);
  static final MetricFamily SPEC_MEMORY_LIMIT =
      f("container_spec_memory_limit_bytes", "Memory limit for the container.", GAUGE);
  static final MetricFamily SPEC_MEMORY_SWAP_LIMIT =
      f("container_spec_memory_swap_limit_bytes", "Memory swap limit for the container.", GAUGE);
  static final MetricFamily PSI_CPU_STALLED =
      f(
          "container_pressure_cpu_stalled_seconds_total",
          "Total time duration no tasks in the container could make progress due to CPU congestion.",
          COUNTER);
  static final MetricFamily PSI_CPU_WAITING =
      f(
          "container_pressure_cpu_waiting_seconds_total",
          "Total time duration tasks in the container have waited due to CPU congestion.",
          COUNTER);
  static final MetricFamily PSI_MEMORY_STALLED =
      f(
          "container_pressure_memory_stalled_seconds_total",
          "Total time duration no tasks in the container could make progress due to memory congestion.",
          COUNTER);
  static final MetricFamily PSI_MEMORY_WAITING =
      f(
          "container_pressure_memory_waiting_seconds_total",
          "Total time duration tasks in the container have waited due to memory congestion.",
          COUNTER);
  static final MetricFamily PSI_IO_STALLED =
      f(
          "container_pressure_io_stalled_seconds_total",
          "Total time duration no tasks in the container could make progress due to IO congestion.",
          COUNTER);
  static final MetricFamily PSI_IO_WAITING =
      f(
          "container_pressure_io_waiting_seconds_total",
          "Total time duration tasks in the container have waited due to IO congestion.",
          COUNTER);

  private static MetricFamily f(String name, String help, MetricType type) {
    return new MetricFamily(name, help, type);
  }
}
