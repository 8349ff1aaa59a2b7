package io.berth.agent;

/** berth's version, from the jar manifest when packaged, else "dev". */
final class BerthVersion {
  private BerthVersion() {}

  static String current() {
    String v = BerthVersion.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
