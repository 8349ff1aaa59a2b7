package io.berth.agent.config;

/**
 * Where a pod came from, spelled as the kubelet's {@code kubernetes.io/config.source} annotation
 * values ({@code pkg/kubelet/types/pod_update.go}).
 */
public enum ConfigSource {
  /** Static pods from the manifest directory. */
  FILE("file"),
  /** Static pods from the manifest URL. */
  HTTP("http"),
  /** Pods bound to this node in the API server. */
  API("api");

  private final String annotationValue;

  ConfigSource(String annotationValue) {
    this.annotationValue = annotationValue;
  }

  /** The value of the {@code kubernetes.io/config.source} annotation. */
  public String annotationValue() {
    return annotationValue;
  }

  /** Static pods are those not from the API server. */
  public boolean isStatic() {
    return this != API;
  }
}
