package io.berth.agent.nodeconfig;

import java.util.List;

/** Writes the plain YAML of print-defaults, quoting values a YAML reader would misread. */
final class Yaml {
  private final StringBuilder sb;
  private final String indent;

  Yaml() {
    this(new StringBuilder(), "");
  }

  private Yaml(StringBuilder sb, String indent) {
    this.sb = sb;
    this.indent = indent;
  }

  void line(String key, String value) {
    sb.append(indent).append(key).append(": ").append(scalar(value)).append('\n');
  }

  /** A number or boolean, unquoted. */
  void raw(String key, Object value) {
    sb.append(indent).append(key).append(": ").append(value).append('\n');
  }

  void list(String key, List<String> values) {
    sb.append(indent).append(key).append(':');
    if (values.isEmpty()) {
      sb.append(" []\n");
      return;
    }
    sb.append('\n');
    for (String v : values) {
      sb.append(indent).append("- ").append(scalar(v)).append('\n');
    }
  }

  /** A nested mapping under {@code key}; write its fields through the returned writer. */
  Yaml object(String key) {
    sb.append(indent).append(key).append(":\n");
    return new Yaml(sb, indent + "  ");
  }

  static String scalar(String v) {
    if (v.isEmpty()
        || v.matches("true|false|null|~|[-+]?[0-9.]+|.*[:#\\[\\]{},&*!|>'\"%@`].*|\\s.*|.*\\s")) {
      return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
    return v;
  }

  @Override
  public String toString() {
    return sb.toString();
  }
}
