package io.berth.cri;

/** A seccomp or AppArmor profile; {@code localhostRef} only for {@link Type#LOCALHOST}. */
public record SecurityProfile(Type type, String localhostRef) {
  /** Which profile applies. */
  public enum Type {
    RUNTIME_DEFAULT,
    UNCONFINED,
    LOCALHOST
  }

  public SecurityProfile {
    type = type == null ? Type.RUNTIME_DEFAULT : type;
    localhostRef = Copies.str(localhostRef);
  }

  public static SecurityProfile runtimeDefault() {
    return new SecurityProfile(Type.RUNTIME_DEFAULT, "");
  }

  public static SecurityProfile unconfined() {
    return new SecurityProfile(Type.UNCONFINED, "");
  }

  public static SecurityProfile localhost(String ref) {
    return new SecurityProfile(Type.LOCALHOST, ref);
  }
}
