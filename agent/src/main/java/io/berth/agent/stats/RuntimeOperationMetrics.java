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
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofMinutes(2))
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
