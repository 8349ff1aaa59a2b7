package io.berth.agent.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What the node reports about itself that does not change while berth runs: identity files, kernel,
 * OS image, architecture, addresses.
 *
 * @param kernelVersion {@code uname -r}
 * @param osImage PRETTY_NAME of /etc/os-release
 * @param architecture in Go's spelling (amd64, arm64)
 * @param internalIps the node's addresses (InternalIP)
 * @param hostname the node's hostname address
 */
public record NodeFacts(
    String machineId,
    String bootId,
    String kernelVersion,
    String osImage,
    String architecture,
    List<String> internalIps,
    String hostname) {

  /** Reads this host (missing files read as empty strings, as the kubelet's cadvisor does). */
  public static NodeFacts ofHost(List<String> internalIps, String hostname) {
    return new NodeFacts(
        read(Path.of("/etc/machine-id")),
        read(Path.of("/proc/sys/kernel/random/boot_id")),
        read(Path.of("/proc/sys/kernel/osrelease")),
        osImage(Path.of("/etc/os-release")),
        goArch(System.getProperty("os.arch")),
        internalIps,
        hostname);
  }

  static String goArch(String javaArch) {
    return switch (javaArch.toLowerCase(Locale.ROOT)) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      default -> javaArch;
    };
  }

  static String osImage(Path osRelease) {
    for (String line : read(osRelease).lines().toList()) {
      if (line.startsWith("PRETTY_NAME=")) {
        return line.substring("PRETTY_NAME=".length()).replaceAll("^\"|\"$", "");
      }
    }
    return "Linux";
  }

  private static String read(Path file) {
    try {
      return Files.readString(file).trim();
    } catch (IOException e) {
      return "";
    }
  }
}
