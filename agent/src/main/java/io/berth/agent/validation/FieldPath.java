package io.berth.agent.validation;

/**
 * A path to a field inside an API object, rendered the way the API server renders it: {@code
 * spec.containers[1].ports[0].containerPort}, {@code metadata.labels[app]}.
 *
 * <p>Immutable; {@link #child}, {@link #index} and {@link #key} return new paths.
 */
public final class FieldPath {
  private final String rendered;

  private FieldPath(String rendered) {
    this.rendered = rendered;
  }

  /** A root path such as {@code metadata} or {@code spec}. */
  public static FieldPath root(String name) {
    return new FieldPath(name);
  }

  /** {@code this.name}. */
  public FieldPath child(String name) {
    return new FieldPath(rendered + "." + name);
  }

  /** {@code this[i]}. */
  public FieldPath index(int i) {
    return new FieldPath(rendered + "[" + i + "]");
  }

  /** {@code this[key]}, used for map entries. */
  public FieldPath key(String key) {
    return new FieldPath(rendered + "[" + key + "]");
  }

  @Override
  public String toString() {
    return rendered;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FieldPath other && other.rendered.equals(rendered);
  }

  @Override
  public int hashCode() {
    return rendered.hashCode();
  }
}
