package io.berth.agent.volume;

import java.util.Optional;

/**
 * The kubelet's {@code validatePath} for keys and item paths of projected files: relative, at most
 * 4096 bytes, no element {@code ..}, not starting with {@code ..} (the writer's own {@code ..data}
 * and timestamp directories live there), each element at most 255 bytes.
 */
public final class PayloadPaths {
  static final int MAX_PATH = 4096;
  static final int MAX_ELEMENT = 255;

  private PayloadPaths() {}

  /** Why {@code path} is not a safe relative file path, or empty when it is. */
  public static Optional<String> problem(String path) {
    if (path == null || path.isEmpty()) {
      return Optional.of("must not be empty");
    }
    if (path.length() > MAX_PATH) {
      return Optional.of("must not be longer than " + MAX_PATH + " characters");
    }
    if (path.startsWith("/")) {
      return Optional.of("must be a relative path");
    }
    if (path.indexOf('\0') >= 0) {
      return Optional.of("must not contain a NUL character");
    }
    for (String element : path.split("/", -1)) {
      if (element.equals("..")) {
        return Optional.of("must not contain '..'");
      }
      if (element.length() > MAX_ELEMENT) {
        return Optional.of("must not have an element longer than " + MAX_ELEMENT + " characters");
      }
    }
    if (path.startsWith("..")) {
      return Optional.of("must not start with '..'");
    }
    return Optional.empty();
  }

  /** {@code path} if safe, else a {@link VolumeException} naming {@code what}. */
  static String check(String what, String path) throws VolumeException {
    Optional<String> p = problem(path);
    if (p.isPresent()) {
      throw new VolumeException(what + " " + quote(path) + ": " + p.get());
    }
    return path;
  }

  /** subPath / expanded subPathExpr: relative, no {@code ..} element ({@code ..data} allowed). */
  static String checkSubPath(String what, String path) throws VolumeException {
    if (path.startsWith("/")) {
      throw new VolumeException(what + " " + quote(path) + ": must be a relative path");
    }
    for (String element : path.split("/", -1)) {
      if (element.equals("..")) {
        throw new VolumeException(what + " " + quote(path) + ": must not contain '..'");
      }
    }
    if (path.indexOf('\0') >= 0) {
      throw new VolumeException(what + " " + quote(path) + ": must not contain a NUL character");
    }
    return path;
  }

  private static String quote(String s) {
    return s == null ? "null" : "\"" + s + "\"";
  }
}
