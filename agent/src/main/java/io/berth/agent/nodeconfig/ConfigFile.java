package io.berth.agent.nodeconfig;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads berth's config file: YAML with up to two documents separated by {@code ---}, one {@code
 * KubeletConfiguration} and one {@code KubeProxyConfiguration}, in any order; either may be left
 * out (its defaults apply). Every invalid field is reported at once, in one {@link
 * ConfigException}.
 */
public final class ConfigFile {
  private static final YAMLMapper YAML = new YAMLMapper();

  private ConfigFile() {}

  public static BerthConfig load(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file, "no such file");
    } catch (IOException e) {
      throw new ConfigException(file, "cannot read it: " + e.getMessage());
    }
    return parse(file, text);
  }

  static BerthConfig parse(Path file, String text) {
    List<JsonNode> docs = new ArrayList<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(text)) {
      while (it.hasNextValue()) {
        JsonNode doc = it.nextValue();
        if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
          docs.add(doc);
        }
      }
    } catch (JacksonException e) {
      throw new ConfigException(
          file,
          "not valid YAML: " + e.getOriginalMessage().lines().findFirst().orElse("") + location(e));
    } catch (IOException e) {
      throw new ConfigException(file, "cannot read it: " + e.getMessage());
    }
    List<ConfigProblem> errors = new ArrayList<>();
    List<ConfigProblem> warnings = new ArrayList<>();
    KubeletConfig kubelet = null;
    KubeProxyConfig proxy = null;
    io.berth.agent.node.NodeRegistration node = null;
    NodeShutdownConfig shutdown = NodeShutdownConfig.defaults();
    NodeServerConfig nodeServer = NodeServerConfig.defaults();
    ContainerLogConfig containerLogs = ContainerLogConfig.defaults();
    ImageGcConfig imageGc = ImageGcConfig.defaults();
    ApiServerTuning apiServer = ApiServerTuning.defaults();
    for (int i = 0; i < docs.size(); i++) {
      JsonNode doc = docs.get(i);
      String where = "document " + (i + 1);
      if (!doc.isObject()) {
        errors.add(new ConfigProblem(where, "must be a mapping with apiVersion and kind"));
        continue;
      }
      String kind = doc.path("kind").asText("");
      String apiVersion = doc.path("apiVersion").asText("");
      switch (kind) {
        case KubeletConfig.KIND -> {
          if (kubelet != null) {
            errors.add(new ConfigProblem(where, "a second KubeletConfiguration"));
          } else if (checkApiVersion(kind, apiVersion, KubeletConfig.API_VERSION, errors)) {
            FieldReader r = new FieldReader(kind, doc, errors);
            kubelet = KubeletConfig.read(r);
            node = NodeRegistrationFields.read(r);
            shutdown = NodeShutdownConfig.read(r);
            nodeServer = NodeServerConfig.read(r);
            containerLogs = ContainerLogConfig.read(r);
            imageGc = ImageGcConfig.read(r);
            apiServer = ApiServerTuning.read(r);
            r.finish(kind, KubeletConfig.NOT_SUPPORTED, warnings);
          }
        }
        case KubeProxyConfig.KIND -> {
          if (proxy != null) {
            errors.add(new ConfigProblem(where, "a second KubeProxyConfiguration"));
          } else if (checkApiVersion(kind, apiVersion, KubeProxyConfig.API_VERSION, errors)) {
            FieldReader r = new FieldReader(kind, doc, errors);
            proxy = KubeProxyConfig.read(r);
            r.finish(kind, KubeProxyConfig.NOT_SUPPORTED, warnings);
          }
        }
        default ->
            errors.add(
                new ConfigProblem(
                    where + ".kind",
                    (kind.isEmpty() ? "missing" : "'" + kind + "' is not known")
                        + "; expected KubeletConfiguration or KubeProxyConfiguration"));
      }
    }
    if (docs.isEmpty()) {
      errors.add(
          new ConfigProblem(
              "(file)", "no KubeletConfiguration or KubeProxyConfiguration document"));
    }
    if (!errors.isEmpty()) {
      throw new ConfigException(file, errors);
    }
    return new BerthConfig(
        kubelet == null ? KubeletConfig.defaults() : kubelet,
        proxy == null ? KubeProxyConfig.defaults() : proxy,
        warnings,
        node,
        shutdown,
        nodeServer,
        containerLogs,
        imageGc,
        apiServer);
  }

  private static boolean checkApiVersion(
      String kind, String apiVersion, String expected, List<ConfigProblem> errors) {
    if (apiVersion.equals(expected)) {
      return true;
    }
    errors.add(
        new ConfigProblem(
            kind + ".apiVersion",
            "must be "
                + expected
                + ", got "
                + (apiVersion.isEmpty() ? "none" : "'" + apiVersion + "'")));
    return false;
  }

  private static String location(JacksonException e) {
    var loc = e.getLocation();
    return loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
  }
}
