package io.berth.agent.nodeconfig;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Typed reads of one YAML mapping of a configuration document. Every read marks its field as
 * consumed and records an error with the field's full path when the value is invalid (returning the
 * default so reading goes on and all errors are reported at once); {@link #finish} turns the fields
 * nobody read into warnings.
 *
 * <p>Not thread-safe; one reader per document, used once.
 */
final class FieldReader {
  private final String path;
  private final JsonNode node;
  private final List<ConfigProblem> errors;
  private final Set<String> consumed = new HashSet<>();
  private final List<FieldReader> children = new ArrayList<>();

  FieldReader(String path, JsonNode node, List<ConfigProblem> errors) {
    this.path = path;
    this.node = node;
    this.errors = errors;
  }

  String pathOf(String name) {
    return path + "." + name;
  }

  /** The field's node, or null when absent or YAML null; marks it consumed. */
  private JsonNode take(String name) {
    consumed.add(name);
    JsonNode v = node.get(name);
    return v == null || v.isNull() ? null : v;
  }

  boolean has(String name) {
    JsonNode v = node.get(name);
    return v != null && !v.isNull();
  }

  void error(String name, String message) {
    errors.add(new ConfigProblem(pathOf(name), message));
  }

  String string(String name, String fallback) {
    JsonNode v = take(name);
    if (v == null) {
      return fallback;
    }
    if (!v.isTextual() && !v.isNumber() && !v.isBoolean()) {
      error(name, "must be a string, got " + describe(v));
      return fallback;
    }
    return v.asText();
  }

  /** A string converted by {@code parse}; its IllegalArgumentException message is the reason. */
  <T> T parsed(String name, T fallback, Function<String, T> parse) {
    String s = string(name, null);
    if (s == null) {
      return fallback;
    }
    try {
      return parse.apply(s);
    } catch (IllegalArgumentException e) {
      error(name, e.getMessage());
      return fallback;
    }
  }

  Duration duration(String name, Duration fallback) {
    Duration d = parsed(name, fallback, GoDuration::parse);
    if (d.isNegative()) {
      error(name, "must not be negative, got " + GoDuration.format(d));
      return fallback;
    }
    return d;
  }

  /** A duration that must be above zero. */
  Duration positiveDuration(String name, Duration fallback) {
    Duration d = duration(name, fallback);
    if (d.isZero()) {
      error(name, "must be greater than 0");
      return fallback;
    }
    return d;
  }

  int integer(String name, int fallback, int min, int max) {
    JsonNode v = take(name);
    if (v == null) {
      return fallback;
    }
    if (!v.canConvertToInt() || !v.isIntegralNumber()) {
      error(name, "must be an integer, got " + describe(v));
      return fallback;
    }
    int i = v.intValue();
    if (i < min || i > max) {
      error(name, "must be between " + min + " and " + max + ", got " + i);
      return fallback;
    }
    return i;
  }

  boolean bool(String name, boolean fallback) {
    JsonNode v = take(name);
    if (v == null) {
      return fallback;
    }
    if (!v.isBoolean()) {
      error(name, "must be true or false, got " + describe(v));
      return fallback;
    }
    return v.booleanValue();
  }

  List<String> strings(String name) {
    JsonNode v = take(name);
    if (v == null) {
      return List.of();
    }
    if (!v.isArray()) {
      error(name, "must be a list of strings, got " + describe(v));
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      JsonNode e = v.get(i);
      if (!e.isTextual()) {
        errors.add(
            new ConfigProblem(
                pathOf(name) + "[" + i + "]", "must be a string, got " + describe(e)));
      } else {
        out.add(e.asText());
      }
    }
    return List.copyOf(out);
  }

  /** A field's raw value for readers of structured fields; null when absent. */
  JsonNode raw(String name) {
    return take(name);
  }

  /** A nested mapping; absent means an empty one, so its defaults apply. */
  FieldReader object(String name) {
    JsonNode v = take(name);
    if (v != null && !v.isObject()) {
      error(name, "must be a mapping, got " + describe(v));
      v = null;
    }
    FieldReader child =
        new FieldReader(
            pathOf(name),
            v == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : v,
            errors);
    children.add(child);
    return child;
  }

  /** A list of mappings ({@code name[i]} each); absent means none. */
  List<FieldReader> objects(String name) {
    JsonNode v = take(name);
    if (v == null) {
      return List.of();
    }
    if (!v.isArray()) {
      error(name, "must be a list, got " + describe(v));
      return List.of();
    }
    List<FieldReader> out = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      if (!v.get(i).isObject()) {
        errors.add(
            new ConfigProblem(
                pathOf(name) + "[" + i + "]", "must be a mapping, got " + describe(v.get(i))));
        continue;
      }
      FieldReader child = new FieldReader(pathOf(name) + "[" + i + "]", v.get(i), errors);
      children.add(child);
      out.add(child);
    }
    return out;
  }

  /** Marks fields as read without using them (apiVersion, kind). */
  void ignore(String... names) {
    consumed.addAll(List.of(names));
  }

  /**
   * Adds a warning for every field nobody read: "not supported by berth" when the real
   * configuration type defines it ({@code notSupported} maps its name to why), "unknown field"
   * otherwise. Nested readers report their own leftovers against {@code notSupported} keys with
   * their dotted sub-path ({@code conntrack.udpTimeout}).
   */
  void finish(String root, Map<String, String> notSupported, List<ConfigProblem> warnings) {
    var names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (consumed.contains(name)) {
        continue;
      }
      String relative = relative(root, pathOf(name));
      String why = notSupported.get(relative);
      warnings.add(
          new ConfigProblem(
              pathOf(name),
              why != null
                  ? "not supported by berth (" + why + "); ignored"
                  : "unknown field; ignored"));
    }
    for (FieldReader child : children) {
      child.finish(root, notSupported, warnings);
    }
  }

  private static String relative(String root, String full) {
    return full.startsWith(root + ".") ? full.substring(root.length() + 1) : full;
  }

  private static String describe(JsonNode v) {
    if (v.isObject()) {
      return "a mapping";
    }
    if (v.isArray()) {
      return "a list";
    }
    return "'" + v.asText() + "'";
  }
}
