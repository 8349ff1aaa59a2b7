package io.berth.agent.proxy;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A hand-driven {@link LocalPods}: tests add pods, flip readiness, mark them terminating. */
class FakePods implements LocalPods {
  final List<Pod> pods = new ArrayList<>();
  final Set<String> terminating = new HashSet<>();
  boolean synced = true;

  @Override
  public synchronized List<Pod> pods() {
    return List.copyOf(pods);
  }

  @Override
  public synchronized boolean terminating(String uid) {
    return terminating.contains(uid);
  }

  @Override
  public synchronized boolean synced() {
    return synced;
  }

  synchronized void put(Pod p) {
    pods.removeIf(x -> x.getMetadata().getUid().equals(p.getMetadata().getUid()));
    pods.add(p);
  }

  synchronized void remove(String uid) {
    pods.removeIf(x -> x.getMetadata().getUid().equals(uid));
  }

  /** A Running pod {@code default/<name>} labelled {@code app=web}, container port http 8080. */
  static PodBuilder pod(String name, String ip, boolean ready) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace("default")
        .withName(name)
        .withUid("uid-" + name)
        .addToLabels("app", "web")
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("web")
        .addNewPort()
        .withName("http")
        .withContainerPort(8080)
        .withProtocol("TCP")
        .endPort()
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .withPodIP(ip)
        .addNewPodIP(ip)
        .addNewCondition()
        .withType("Ready")
        .withStatus(ready ? "True" : "False")
        .endCondition()
        .endStatus();
  }

  static IntOrString named(String name) {
    return new IntOrString(name);
  }
}
