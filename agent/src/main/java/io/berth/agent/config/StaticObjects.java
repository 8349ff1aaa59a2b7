package io.berth.agent.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.berth.agent.kuberuntime.ConfigSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ConfigMaps and Secrets for standalone berth: v1 {@code ConfigMap}, {@code Secret} or {@code List}
 * manifests ({@code *.yaml}, {@code *.yml}, {@code *.json}) in one directory, read again whenever a
 * file changes, so an edited ConfigMap reaches its volumes on the pod's next sync as it would from
 * the API server. A file that does not parse is skipped with its path and reason in the log; the
 * other files still count.
 *
 * <p>Thread safety: any thread.
 */
public final class StaticObjects implements ConfigSource {
  private static final Logger log = LoggerFactory.getLogger(StaticObjects.class);
  private static final long MAX_FILE_BYTES = 1 << 20;

  /** One ConfigMap or Secret: namespace/name → data (secrets decoded). */
  private record Parsed(
      long mtime,
      long size,
      Map<String, Map<String, String>> configMaps,
      Map<String, Map<String, String>> secrets) {}

  private final Path dir;
  private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
  private final Map<Path, Parsed> cache = new ConcurrentHashMap<>();

  public StaticObjects(Path dir) {
    this.dir = dir;
  }

  @Override
  public Optional<Map<String, String>> configMap(String namespace, String name) {
    return find(namespace + "/" + name, false);
  }

  @Override
  public Optional<Map<String, String>> secret(String namespace, String name) {
    return find(namespace + "/" + name, true);
  }

  private Optional<Map<String, String>> find(String key, boolean secret) {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.{yaml,yml,json}")) {
      ds.forEach(files::add);
    } catch (IOException e) {
      log.warn("static objects: cannot list {}: {}", dir, e.getMessage());
      return Optional.empty();
    }
    files.sort(null);
    cache.keySet().retainAll(files);
    Map<String, String> found = null;
    for (Path f : files) {
      Parsed p = parsed(f);
      Map<String, String> data = (secret ? p.secrets() : p.configMaps()).get(key);
      if (data != null) {
        found = data;
      }
    }
    return Optional.ofNullable(found);
  }

  private Parsed parsed(Path f) {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(f, BasicFileAttributes.class);
    } catch (IOException e) {
      return new Parsed(-1, -1, Map.of(), Map.of());
    }
    long mtime = a.lastModifiedTime().toMillis();
    Parsed old = cache.get(f);
    if (old != null && old.mtime() == mtime && old.size() == a.size()) {
      return old;
    }
    Map<String, Map<String, String>> cms = new HashMap<>();
    Map<String, Map<String, String>> secrets = new HashMap<>();
    try {
      if (a.size() > MAX_FILE_BYTES) {
        throw new IOException("larger than " + MAX_FILE_BYTES + " bytes");
      }
      for (Iterator<JsonNode> docs =
              yaml.readerFor(JsonNode.class)
                  .readValues(Files.readString(f, StandardCharsets.UTF_8));
          docs.hasNext(); ) {
        JsonNode doc = docs.next();
        if (doc != null && !doc.isNull()) {
          add(doc, cms, secrets);
        }
      }
    } catch (IOException | RuntimeException e) {
      log.warn("static objects: skipping {}: {}", f, e.getMessage());
      cms.clear();
      secrets.clear();
    }
    Parsed p = new Parsed(mtime, a.size(), Map.copyOf(cms), Map.copyOf(secrets));
    cache.put(f, p);
    return p;
  }

  private static void add(
      JsonNode obj, Map<String, Map<String, String>> cms, Map<String, Map<String, String>> secrets)
      throws IOException {
    String kind = obj.path("kind").asText();
    switch (kind) {
      case "List" -> {
        for (JsonNode item : obj.path("items")) {
          add(item, cms, secrets);
        }
      }
      case "ConfigMap" -> cms.put(key(obj), strings(obj.path("data"), false));
      case "Secret" -> {
        Map<String, String> data = new LinkedHashMap<>(strings(obj.path("data"), true));
        data.putAll(strings(obj.path("stringData"), false));
        secrets.put(key(obj), Map.copyOf(data));
      }
      default -> {
        // other kinds (Services, EndpointSlices) may share the directory
      }
    }
  }

  private static String key(JsonNode obj) throws IOException {
    String name = obj.path("metadata").path("name").asText("");
    if (name.isEmpty()) {
      throw new IOException(obj.path("kind").asText() + " without metadata.name");
    }
    String ns = obj.path("metadata").path("namespace").asText("");
    return (ns.isEmpty() ? "default" : ns) + "/" + name;
  }

  private static Map<String, String> strings(JsonNode data, boolean base64) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = data.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String v = e.getValue().asText();
      if (base64) {
        try {
          v = new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException bad) {
          throw new IOException("data." + e.getKey() + " is not base64: " + bad.getMessage());
        }
      }
      out.put(e.getKey(), v);
    }
    return out;
  }
}
