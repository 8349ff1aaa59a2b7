package io.berth.agent.stats;

import io.berth.cri.CriCallObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CRI call latency and errors by operation, the kubelet's {@code
 * kubelet_runtime_operations_duration_seconds} and {@code kubelet_runtime_operations_errors_total}
 * under berth's prefix. The label set stays bounded: one value per CRI RPC.
 */
public final class RuntimeOperationMetrics implements CriCallObserver {
  /**
   * Bucket bounds like the kubelet's for this metric (5 ms to 2 min): a dozen series per operation
   * rather than Micrometer's ~70 percentile-histogram buckets.
   */
  private static final Duration[] BUCKETS = {
    Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
    Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
    Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
    Duration.ofMinutes(2)
  };

  private final MeterRegistry registry;
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();
  private final Map<String, Counter> errors = new ConcurrentHashMap<>();

  public RuntimeOperationMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void completed(String operation, Duration elapsed, String outcome) {
    timers
        .computeIfAbsent(
            operation,
            op ->
                Timer.builder("berth_runtime_operations_duration")
                    .description("Duration of CRI calls to the container runtime, by operation")
                    .tag("operation_type", op)
                    .serviceLevelObjectives(BUCKETS)
                    .register(registry))
        .record(elapsed);
    if (!outcome.equals("OK")) {
      errors
          .computeIfAbsent(
              operation,
              op ->
                  Counter.builder("berth_runtime_operations_errors")
                      .description("CRI calls that failed, by operation")
                      .tag("operation_type", op)
                      .register(registry))
          .increment();
    }
  }
}
