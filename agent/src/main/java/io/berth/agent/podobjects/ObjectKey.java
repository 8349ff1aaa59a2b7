package io.berth.agent.podobjects;

/** One ConfigMap or Secret a pod refers to. */
public record ObjectKey(Kind kind, String namespace, String name) {
  /** The two kinds of objects pods read data from. */
  public enum Kind {
    CONFIG_MAP("configmap"),
    SECRET("secret");

    private final String resource;

    Kind(String resource) {
      this.resource = resource;
    }

    /** The kubelet's lower-case spelling in messages ({@code configmap}, {@code secret}). */
    public String resource() {
      return resource;
    }
  }

  public static ObjectKey configMap(String namespace, String name) {
    return new ObjectKey(Kind.CONFIG_MAP, namespace, name);
  }

  public static ObjectKey secret(String namespace, String name) {
    return new ObjectKey(Kind.SECRET, namespace, name);
  }

  @Override
  public String toString() {
    return kind.resource + " " + namespace + "/" + name;
  }
}
