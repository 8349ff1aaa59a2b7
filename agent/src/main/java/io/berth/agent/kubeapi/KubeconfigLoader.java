package io.berth.agent.kubeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;

/**
 * Reads a kubeconfig file (clusters, users, contexts, current-context) into the {@link Kubeconfig}
 * of one context, as client-go's clientcmd does for the fields berth uses. Relative file paths are
 * resolved against the kubeconfig's directory.
 */
public final class KubeconfigLoader {
  private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());

  /** The current context, or {@code context} when given. */
  public Kubeconfig load(Path file, Optional<String> context) throws KubeconfigException {
    JsonNode root;
    try {
      root = yaml.readTree(file.toFile());
    } catch (IOException e) {
      throw new KubeconfigException(file, "cannot read it: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new KubeconfigException(file, "it is not a YAML mapping", null);
    }
    String contextName = context.orElse(root.path("current-context").asText(""));
    if (contextName.isEmpty()) {
      throw new KubeconfigException(file, "no current-context and no context given", null);
    }
    JsonNode ctx = named(root, "contexts", contextName, "context", file);
    JsonNode cluster = named(root, "clusters", ctx.path("cluster").asText(), "cluster", file);
    String userName = ctx.path("user").asText("");
    JsonNode user =
        userName.isEmpty() ? yaml.createObjectNode() : named(root, "users", userName, "user", file);
    String server = cluster.path("server").asText("");
    if (server.isEmpty()) {
      throw new KubeconfigException(
          file, "cluster " + ctx.path("cluster").asText() + " has no server", null);
    }
    Path dir = file.toAbsolutePath().getParent();
    return new Kubeconfig(
        URI.create(server),
        pem(cluster, "certificate-authority", dir, file),
        cluster.path("insecure-skip-tls-verify").asBoolean(false),
        pem(user, "client-certificate", dir, file),
        pem(user, "client-key", dir, file),
        Optional.of(user.path("token").asText("")).filter(s -> !s.isEmpty()),
        Optional.of(user.path("tokenFile").asText(""))
            .filter(s -> !s.isEmpty())
            .map(p -> dir.resolve(p)),
        ctx.path("namespace").asText("default"));
  }

  private static JsonNode named(JsonNode root, String list, String name, String field, Path file)
      throws KubeconfigException {
    for (JsonNode entry : root.path(list)) {
      if (entry.path("name").asText().equals(name)) {
        return entry.path(field);
      }
    }
    throw new KubeconfigException(file, list + " has no entry named \"" + name + "\"", null);
  }

  private static Optional<String> pem(JsonNode node, String field, Path dir, Path file)
      throws KubeconfigException {
    String data = node.path(field + "-data").asText("");
    if (!data.isEmpty()) {
      try {
        return Optional.of(
            new String(Base64.getMimeDecoder().decode(data), StandardCharsets.US_ASCII));
      } catch (IllegalArgumentException e) {
        throw new KubeconfigException(file, field + "-data is not base64", e);
      }
    }
    String path = node.path(field).asText("");
    if (path.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Files.readString(dir.resolve(path), StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new KubeconfigException(
          file, "cannot read " + field + " " + dir.resolve(path) + ": " + e.getMessage(), e);
    }
  }
}
