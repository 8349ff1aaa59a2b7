package io.berth.agent.validation;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One validation failure, shaped like the API server's {@code field.Error}: a type, the field path,
 * the offending value and a detail. {@link #toString()} renders the API server's message, e.g.
 * {@code spec.containers[1].ports[0].containerPort: Invalid value: 70000: must be between 1 and
 * 65535, inclusive}.
 *
 * @param type what kind of failure
 * @param field the field path
 * @param badValue the offending value (a String, Number, Boolean or null); not rendered for {@link
 *     Type#REQUIRED}, {@link Type#FORBIDDEN} and {@link Type#TOO_LONG}
 * @param detail the explanation, may be empty
 */
public record FieldError(Type type, FieldPath field, Object badValue, String detail) {

  /** The API server's error types and how they are spelled in messages. */
  public enum Type {
    REQUIRED("Required value", false),
    INVALID("Invalid value", true),
    DUPLICATE("Duplicate value", true),
    NOT_SUPPORTED("Unsupported value", true),
    NOT_FOUND("Not found", true),
    FORBIDDEN("Forbidden", false),
    TOO_LONG("Too long", false);

    private final String text;
    private final boolean showsValue;

    Type(String text, boolean showsValue) {
      this.text = text;
      this.showsValue = showsValue;
    }

    /** The message text, e.g. {@code Invalid value}. */
    public String text() {
      return text;
    }
  }

  public FieldError {
    detail = detail == null ? "" : detail;
  }

  static FieldError required(FieldPath field, String detail) {
    return new FieldError(Type.REQUIRED, field, null, detail);
  }

  static FieldError invalid(FieldPath field, Object value, String detail) {
    return new FieldError(Type.INVALID, field, value, detail);
  }

  static FieldError duplicate(FieldPath field, Object value) {
    return new FieldError(Type.DUPLICATE, field, value, "");
  }

  static FieldError notFound(FieldPath field, Object value) {
    return new FieldError(Type.NOT_FOUND, field, value, "");
  }

  static FieldError forbidden(FieldPath field, String detail) {
    return new FieldError(Type.FORBIDDEN, field, null, detail);
  }

  static FieldError tooLong(FieldPath field, int max) {
    return new FieldError(Type.TOO_LONG, field, null, "may not be more than " + max + " bytes");
  }

  static FieldError notSupported(FieldPath field, Object value, List<String> supported) {
    String detail =
        "supported values: "
            + supported.stream().map(FieldError::quote).collect(Collectors.joining(", "));
    return new FieldError(Type.NOT_SUPPORTED, field, value, detail);
  }

  /** The message without the field path, like {@code field.Error.ErrorBody()}. */
  public String body() {
    StringBuilder s = new StringBuilder(type.text);
    if (type.showsValue) {
      s.append(": ").append(render(badValue));
    }
    if (!detail.isEmpty()) {
      s.append(": ").append(detail);
    }
    return s.toString();
  }

  @Override
  public String toString() {
    return field + ": " + body();
  }

  private static String render(Object value) {
    return switch (value) {
      case null -> "null";
      case String s -> quote(s);
      case Number n -> n.toString();
      case Boolean b -> b.toString();
      default -> quote(value.toString());
    };
  }

  /** Go's {@code %q}: double quotes, with backslash, quote and control characters escaped. */
  static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        case '\r' -> b.append("\\r");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            b.append(String.format("\\x%02x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
