package io.berth.agent.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Test manifests from {@code src/test/resources/config} and small generated ones. */
final class Manifests {
  private Manifests() {}

  static String resource(String name) {
    try (InputStream in = Manifests.class.getResourceAsStream("/config/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource /config/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String validPod() {
    return resource("valid-pod.yaml");
  }

  /** A minimal valid pod named {@code name} with one container running {@code image}. */
  static String pod(String name, String image) {
    return """
        apiVersion: v1
        kind: Pod
        metadata:
          name: %s
        spec:
          containers:
          - name: c
            image: %s
        """
        .formatted(name, image);
  }
}
