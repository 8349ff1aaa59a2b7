package io.berth.cri;

/** One environment variable of a container; order is kept as given. */
public record EnvVar(String name, String value) {
  public EnvVar {
    name = Copies.str(name);
    value = Copies.str(value);
  }
}
