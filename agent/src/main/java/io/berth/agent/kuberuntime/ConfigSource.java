package io.berth.agent.kuberuntime;

import java.util.Map;
import java.util.Optional;

/**
 * Where {@code configMapKeyRef}, {@code secretKeyRef} and {@code envFrom} find their data: the
 * kubelet's ConfigMap and Secret managers. Standalone berth has none ({@link #NONE}), so such
 * references fail (unless optional) with the kubelet's message and the pod's container shows {@code
 * CreateContainerConfigError}.
 */
public interface ConfigSource {
  /** The data of ConfigMap {@code namespace/name}, empty when it does not exist. */
  Optional<Map<String, String>> configMap(String namespace, String name);

  /** The (decoded) data of Secret {@code namespace/name}, empty when it does not exist. */
  Optional<Map<String, String>> secret(String namespace, String name);

  /** No ConfigMaps and no Secrets at all. */
  ConfigSource NONE =
      new ConfigSource() {
        @Override
        public Optional<Map<String, String>> configMap(String namespace, String name) {
          return Optional.empty();
        }

        @Override
        public Optional<Map<String, String>> secret(String namespace, String name) {
          return Optional.empty();
        }
      };
}
