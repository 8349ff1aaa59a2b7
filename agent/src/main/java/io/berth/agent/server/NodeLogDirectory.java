package io.berth.agent.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The kubelet's {@code /logs/}: the node's log directory ({@code /var/log}), read-only. A path
 * resolves to a directory (listed one name a line, directories with a trailing slash) or a regular
 * file. Anything else is not found: a {@code ..} or empty segment, a NUL, a path whose real
 * location (symlinks followed) leaves the directory, devices, FIFOs and sockets.
 *
 * <p>Thread safety: stateless after construction.
 */
public final class NodeLogDirectory {
  private final Path root;

  public NodeLogDirectory(Path root) {
    this.root = root;
  }

  /** What a {@code /logs/...} path names. */
  public sealed interface Entry {
    record Directory(String listing) implements Entry {}

    record File(Path path, long size) implements Entry {}
  }

  /**
   * Resolves {@code relative} (the part after {@code /logs/}, already percent-decoded).
   *
   * @return empty when it names nothing servable (the caller answers 404 without details)
   */
  public Optional<Entry> resolve(String relative) throws IOException {
    if (relative.indexOf('\0') >= 0 || relative.startsWith("/")) {
      return Optional.empty();
    }
    String trimmed =
        relative.endsWith("/") ? relative.substring(0, relative.length() - 1) : relative;
    Path candidate = root;
    if (!trimmed.isEmpty()) {
      for (String segment : trimmed.split("/", -1)) {
        if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
          return Optional.empty();
        }
        candidate = candidate.resolve(segment);
      }
    }
    Path realRoot = root.toRealPath();
    Path real;
    try {
      real = candidate.toRealPath();
    } catch (IOException e) {
      return Optional.empty();
    }
    if (!real.startsWith(realRoot)) {
      return Optional.empty();
    }
    if (Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
      StringBuilder listing = new StringBuilder();
      try (Stream<Path> children = Files.list(real)) {
        children
            .sorted()
            .forEach(
                c ->
                    listing
                        .append(c.getFileName())
                        .append(Files.isDirectory(c) ? "/" : "")
                        .append('\n'));
      }
      return Optional.of(new Entry.Directory(listing.toString()));
    }
    if (Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS) && Files.isReadable(real)) {
      return Optional.of(new Entry.File(real, Files.size(real)));
    }
    return Optional.empty();
  }
}
