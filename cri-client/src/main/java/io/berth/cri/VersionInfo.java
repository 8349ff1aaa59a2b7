package io.berth.cri;

/**
 * What the runtime said in {@code Version}.
 *
 * @param version the kubelet-side API version echoed back (e.g. {@code "0.1.0"})
 * @param runtimeName e.g. {@code "containerd"}
 * @param runtimeVersion e.g. {@code "1.6.20~ds1"}
 * @param runtimeApiVersion e.g. {@code "v1"}
 */
public record VersionInfo(
    String version, String runtimeName, String runtimeVersion, String runtimeApiVersion) {
  public VersionInfo {
    version = Copies.str(version);
    runtimeName = Copies.str(runtimeName);
    runtimeVersion = Copies.str(runtimeVersion);
    runtimeApiVersion = Copies.str(runtimeApiVersion);
  }
}
