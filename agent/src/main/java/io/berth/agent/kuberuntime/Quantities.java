package io.berth.agent.kuberuntime;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;

/** Quantity arithmetic as apimachinery's {@code resource.Quantity} does it (values round up). */
final class Quantities {
  private Quantities() {}

  static final String CPU = "cpu";
  static final String MEMORY = "memory";

  /** {@code Quantity.MilliValue()}: thousandths, rounded up; {@code null} is 0. */
  static long milliValue(Quantity q) {
    if (q == null) {
      return 0;
    }
    return Quantity.getAmountInBytes(q)
        .multiply(BigDecimal.valueOf(1000))
        .setScale(0, RoundingMode.CEILING)
        .longValueExact();
  }

  /** {@code Quantity.Value()}: whole units, rounded up; {@code null} is 0. */
  static long value(Quantity q) {
    if (q == null) {
      return 0;
    }
    return Quantity.getAmountInBytes(q).setScale(0, RoundingMode.CEILING).longValueExact();
  }

  static boolean positive(Quantity q) {
    return q != null && Quantity.getAmountInBytes(q).signum() > 0;
  }

  static Map<String, Quantity> requests(Container c) {
    ResourceRequirements r = c.getResources();
    return r == null || r.getRequests() == null ? Map.of() : r.getRequests();
  }

  static Map<String, Quantity> limits(Container c) {
    ResourceRequirements r = c.getResources();
    return r == null || r.getLimits() == null ? Map.of() : r.getLimits();
  }
}
