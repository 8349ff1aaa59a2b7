package io.berth.agent.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaintAdmissionTest {
  private static Taint taint(String key, String value, String effect) {
    Taint t = new Taint();
    t.setKey(key);
    t.setValue(value);
    t.setEffect(effect);
    return t;
  }

  private static Toleration tol(String key, String op, String value, String effect) {
    Toleration t = new Toleration();
    t.setKey(key);
    t.setOperator(op);
    t.setValue(value);
    t.setEffect(effect);
    return t;
  }

  private static Pod pod(Toleration... tolerations) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("p")
        .endMetadata()
        .withNewSpec()
        .withTolerations(List.of(tolerations))
        .endSpec()
        .build();
  }

  @Test
  void onlyUntoleratedNoExecuteTaintsRefuseAPod() {
    List<Taint> node =
        List.of(taint("dedicated", "infra", "NoSchedule"), taint("drain", "soon", "NoExecute"));
    assertThat(TaintAdmission.check(pod(), node))
        .contains(
            new Admission.Reject(
                "TaintToleration",
                "Predicate TaintToleration failed: node(s) had untolerated taint {drain: soon}"));
    assertThat(TaintAdmission.check(pod(), List.of(taint("dedicated", "infra", "NoSchedule"))))
        .as("NoSchedule is the scheduler's business")
        .isEmpty();
    assertThat(TaintAdmission.check(pod(tol("drain", "Equal", "soon", "NoExecute")), node))
        .isEmpty();
    assertThat(TaintAdmission.check(pod(tol("drain", "Exists", null, null)), node)).isEmpty();
    assertThat(TaintAdmission.check(pod(tol(null, "Exists", null, null)), node))
        .as("an empty key with Exists tolerates everything")
        .isEmpty();
    assertThat(TaintAdmission.check(pod(tol("drain", null, "later", "NoExecute")), node))
        .as("Equal is the default operator; the value differs")
        .isPresent();
    assertThat(TaintAdmission.check(pod(tol("drain", "Exists", null, "NoSchedule")), node))
        .as("the toleration's effect differs")
        .isPresent();
  }
}
