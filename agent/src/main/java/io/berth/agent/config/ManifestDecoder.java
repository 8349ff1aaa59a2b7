package io.berth.agent.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodList;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Turns manifest bytes into fabric8 {@link Pod}s: UTF-8 check, size limit, JSON or YAML (JSON is
 * tried when the text starts with <code>{</code>), duplicate keys refused, one document only,
 * {@code apiVersion: v1} and {@code kind: Pod} (or {@code PodList} where allowed), and no silent
 * type coercion (a string or a float where an integer belongs is an error, as in Go).
 *
 * <p>Unknown fields are accepted, as the kubelet's non-strict {@code UniversalDecoder} does; they
 * end up in fabric8's {@code additionalProperties} and are ignored. Thread safe.
 */
public final class ManifestDecoder {
  /** The kubelet's {@code maxConfigLength}: 10 MiB. */
  public static final int MAX_MANIFEST_BYTES = 10 * 1024 * 1024;

  /**
   * Longest YAML line accepted. SnakeYAML scans a long token in time quadratic in the line length
   * (about 1 s for 1 MiB, 80 s for 10 MiB), so longer lines are refused; JSON has no such limit.
   */
  public static final int MAX_YAML_LINE = 1024 * 1024;

  private static final int MAX_NESTING = 100;

  private final ObjectMapper json;
  private final ObjectMapper yaml;
  private final ObjectMapper canonical;

  /** The outcome of decoding one manifest. */
  public sealed interface Result {
    /** The pods it holds (one for a Pod, any number for a PodList). */
    record Decoded(List<Pod> pods) implements Result {
      public Decoded {
        pods = List.copyOf(pods);
      }
    }

    /** Why it could not be decoded. */
    record Failed(String reason) implements Result {}
  }

  public ManifestDecoder() {
    StreamReadConstraints limits =
        StreamReadConstraints.builder()
            .maxNestingDepth(MAX_NESTING)
            .maxStringLength(MAX_MANIFEST_BYTES)
            .maxNumberLength(100)
            .build();
    JsonFactory jsonFactory =
        JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(limits)
            .build();
    this.json = strict(JsonMapper.builder(jsonFactory));
    LoaderOptions loader = new LoaderOptions();
    loader.setCodePointLimit(MAX_MANIFEST_BYTES + 1);
    loader.setNestingDepthLimit(MAX_NESTING);
    loader.setMaxAliasesForCollections(50);
    YAMLFactory yamlFactory =
        YAMLFactory.builder()
            .loaderOptions(loader)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(limits)
            .build();
    this.yaml = strict(YAMLMapper.builder(yamlFactory));
    this.canonical =
        JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();
  }

  private static ObjectMapper strict(com.fasterxml.jackson.databind.cfg.MapperBuilder<?, ?> b) {
    return b.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .build();
  }

  /**
   * Decodes {@code data}.
   *
   * @param allowList whether a {@code PodList} is acceptable (the URL source) or only a Pod (a
   *     file)
   */
  public Result decode(byte[] data, boolean allowList) {
    if (data.length > MAX_MANIFEST_BYTES) {
      return new Result.Failed(
          "manifest is larger than the limit of " + MAX_MANIFEST_BYTES + " bytes");
    }
    String text;
    try {
      text = utf8(data);
    } catch (IllegalArgumentException e) {
      return new Result.Failed(e.getMessage());
    }
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    if (text.isBlank()) {
      return new Result.Failed("manifest is empty");
    }
    boolean isJson = text.stripLeading().startsWith("{");
    if (!isJson) {
      String tooLong = longLine(text);
      if (tooLong != null) {
        return new Result.Failed(tooLong);
      }
    }
    ObjectMapper mapper = isJson ? json : yaml;
    JsonNode node;
    try {
      node = single(mapper, text);
    } catch (JacksonException e) {
      return new Result.Failed((isJson ? "invalid JSON: " : "invalid YAML: ") + describe(e));
    } catch (IllegalArgumentException | IllegalStateException e) {
      return new Result.Failed((isJson ? "invalid JSON: " : "invalid YAML: ") + e.getMessage());
    }
    if (node == null) {
      return new Result.Failed("manifest is empty");
    }
    if (!node.isObject()) {
      return new Result.Failed("manifest is not an object but " + node.getNodeType());
    }
    String kind = textField(node, "kind");
    String apiVersion = textField(node, "apiVersion");
    if (kind == null || kind.isEmpty()) {
      return new Result.Failed("Object 'Kind' is missing");
    }
    if (apiVersion == null || apiVersion.isEmpty()) {
      return new Result.Failed("Object 'apiVersion' is missing");
    }
    if (!apiVersion.equals("v1")) {
      return new Result.Failed(
          "no kind \"" + kind + "\" is registered for version \"" + apiVersion + "\"");
    }
    try {
      return switch (kind) {
        case "Pod" -> new Result.Decoded(List.of(json.treeToValue(node, Pod.class)));
        case "PodList" ->
            allowList
                ? new Result.Decoded(listItems(json.treeToValue(node, PodList.class)))
                : new Result.Failed("a manifest file must hold a single Pod, not a PodList");
        default ->
            new Result.Failed(
                "kind \"" + kind + "\" is not a Pod" + (allowList ? " or PodList" : ""));
      };
    } catch (JacksonException e) {
      return new Result.Failed("cannot decode " + kind + ": " + describe(e));
    } catch (IllegalArgumentException | IllegalStateException | ArithmeticException e) {
      return new Result.Failed("cannot decode " + kind + ": " + e.getMessage());
    }
  }

  /** The pod as JSON with sorted keys: stable across runs, used for UID hashing. */
  public byte[] canonicalJson(Pod pod) {
    try {
      return canonical.writeValueAsBytes(pod);
    } catch (JacksonException e) {
      throw new IllegalStateException("cannot serialize pod " + pod.getMetadata(), e);
    }
  }

  /**
   * A deep copy of {@code pod} through fabric8's builders: every model object, list and map is new,
   * the immutable values (strings, numbers) are shared. Through the JSON form, as before, each of
   * the copies berth keeps per pod (source, pod config, workers, status view) had strings of its
   * own, and the copying mapper built a second set of Jackson deserializers for the whole pod
   * model; both stayed on the heap.
   */
  public Pod copy(Pod pod) {
    return new PodBuilder(pod).build();
  }

  /** A reason if some line is longer than {@link #MAX_YAML_LINE}, else null. */
  private static String longLine(String text) {
    int line = 1;
    int start = 0;
    for (int i = 0; i <= text.length(); i++) {
      if (i == text.length() || text.charAt(i) == '\n') {
        if (i - start > MAX_YAML_LINE) {
          return "YAML line "
              + line
              + " is longer than "
              + MAX_YAML_LINE
              + " characters; write such a manifest as JSON";
        }
        line++;
        start = i + 1;
      }
    }
    return null;
  }

  /** Strict UTF-8 decoding; the error names the byte offset of the first bad sequence. */
  private static String utf8(byte[] data) {
    ByteBuffer in = ByteBuffer.wrap(data);
    CharBuffer out = CharBuffer.allocate(data.length);
    CoderResult result =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(in, out, true);
    if (result.isError()) {
      throw new IllegalArgumentException(
          "manifest is not valid UTF-8: invalid byte sequence at offset " + in.position());
    }
    return out.flip().toString();
  }

  private static List<Pod> listItems(PodList list) {
    List<Pod> items = new ArrayList<>();
    for (Pod p : list.getItems() == null ? List.<Pod>of() : list.getItems()) {
      if (p == null) {
        throw new IllegalArgumentException("PodList holds a null item");
      }
      items.add(p);
    }
    return items;
  }

  /** Reads the only non-empty document; a second one is an error (one pod per manifest). */
  private static JsonNode single(ObjectMapper mapper, String text) throws JacksonException {
    rejectAliases(mapper, text);
    JsonNode first = null;
    try (JsonParser parser = mapper.createParser(text)) {
      while (parser.nextToken() != null) {
        JsonNode doc = mapper.readTree(parser);
        if (doc == null
            || doc.isNull()
            || doc.isMissingNode()
            || (doc.isTextual() && doc.asText().isEmpty())) {
          continue;
        }
        if (first != null) {
          throw new IllegalArgumentException(
              "more than one document; a manifest holds exactly one object");
        }
        first = doc;
      }
    } catch (JacksonException e) {
      throw e;
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e.toString(), e);
    }
    return first;
  }

  /**
   * Jackson reports a YAML alias ({@code *name}) as the plain string {@code name} instead of the
   * anchored value, which would silently change a manifest; refuse aliases instead.
   */
  private static void rejectAliases(ObjectMapper mapper, String text) throws JacksonException {
    if (!(mapper.getFactory() instanceof YAMLFactory) || text.indexOf('*') < 0) {
      return;
    }
    try (JsonParser parser = mapper.createParser(text)) {
      while (parser.nextToken() != null) {
        if (parser instanceof YAMLParser y && y.isCurrentAlias()) {
          throw new IllegalArgumentException(
              "YAML aliases are not supported (alias *"
                  + y.getText()
                  + " at line "
                  + y.currentLocation().getLineNr()
                  + ")");
        }
      }
    } catch (JacksonException e) {
      throw e;
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e.toString(), e);
    }
  }

  private static String textField(JsonNode node, String name) {
    JsonNode v = node.get(name);
    return v != null && v.isTextual() ? v.asText() : null;
  }

  /** One line: the JSON path of the offending field, the problem, and the line and column. */
  static String describe(JacksonException e) {
    StringBuilder s = new StringBuilder();
    if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
      StringBuilder path = new StringBuilder();
      for (JsonMappingException.Reference r : m.getPath()) {
        if (r.getFieldName() != null) {
          if (!path.isEmpty()) {
            path.append('.');
          }
          path.append(r.getFieldName());
        } else if (r.getIndex() >= 0) {
          path.append('[').append(r.getIndex()).append(']');
        }
      }
      s.append(path).append(": ");
    }
    String msg =
        e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
    s.append(msg.replaceAll("\\[Source: [^;\\]]*; line", "[line").replaceAll("\\s+", " ").strip());
    JsonLocation loc = e.getLocation();
    if (loc != null && loc.getLineNr() > 0) {
      s.append(" (line ")
          .append(loc.getLineNr())
          .append(", column ")
          .append(loc.getColumnNr())
          .append(')');
    }
    return s.length() > 500 ? s.substring(0, 500) + "..." : s.toString();
  }
}
