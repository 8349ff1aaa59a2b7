package io.berth.agent.admission;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Optional;

/**
 * The kubelet's taint check at admission ({@code lifecycle.generalFilter}): a pod the scheduler (or
 * a user setting {@code nodeName}) put on this node is refused when it does not tolerate one of the
 * node's {@code NoExecute} taints; NoSchedule taints are the scheduler's business and are ignored
 * here, and static pods are never checked. Tolerations match as {@code corev1.ToleratesTaint}: an
 * empty effect matches every effect, {@code Exists} with an empty key matches every taint, {@code
 * Exists} matches any value, {@code Equal} (the default) the same value.
 */
public final class TaintAdmission {
  static final String REASON = "TaintToleration";

  private TaintAdmission() {}

  /** The rejection for {@code pod} on a node with {@code taints}; empty when it is admitted. */
  public static Optional<Admission.Reject> check(Pod pod, List<Taint> taints) {
    List<Toleration> tolerations =
        pod.getSpec().getTolerations() == null ? List.of() : pod.getSpec().getTolerations();
    for (Taint t : taints) {
      if (!"NoExecute".equals(t.getEffect())) {
        continue;
      }
      if (tolerations.stream().noneMatch(tol -> tolerates(tol, t))) {
        return Optional.of(
            new Admission.Reject(
                REASON,
                "Predicate TaintToleration failed: node(s) had untolerated taint {"
                    + t.getKey()
                    + ": "
                    + (t.getValue() == null ? "" : t.getValue())
                    + "}"));
      }
    }
    return Optional.empty();
  }

  static boolean tolerates(Toleration tol, Taint taint) {
    String effect = tol.getEffect();
    if (effect != null && !effect.isEmpty() && !effect.equals(taint.getEffect())) {
      return false;
    }
    String key = tol.getKey() == null ? "" : tol.getKey();
    String op =
        tol.getOperator() == null || tol.getOperator().isEmpty() ? "Equal" : tol.getOperator();
    if (key.isEmpty()) {
      return op.equals("Exists");
    }
    if (!key.equals(taint.getKey())) {
      return false;
    }
    return switch (op) {
      case "Exists" -> true;
      case "Equal" -> nullToEmpty(tol.getValue()).equals(nullToEmpty(taint.getValue()));
      default -> false;
    };
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
