package io.berth.cri;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Runtime conditions from {@code Status}; {@code info} only when asked for verbose. */
public record RuntimeStatus(List<RuntimeCondition> conditions, Map<String, String> info) {
  public RuntimeStatus {
    conditions = Copies.list(conditions);
    info = Copies.map(info);
  }

  public Optional<RuntimeCondition> condition(String type) {
    return conditions.stream().filter(c -> c.type().equals(type)).findFirst();
  }

  /** True when the {@code RuntimeReady} condition is present and true. */
  public boolean runtimeReady() {
    return condition(RuntimeCondition.RUNTIME_READY).map(RuntimeCondition::status).orElse(false);
  }

  /** True when the {@code NetworkReady} condition is present and true. */
  public boolean networkReady() {
    return condition(RuntimeCondition.NETWORK_READY).map(RuntimeCondition::status).orElse(false);
  }
}
