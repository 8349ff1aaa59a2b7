package io.berth.metrics.cgroup;

import io.berth.metrics.stats.Pressure;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reading and parsing of cgroup pseudo-files. A missing file, a file of a cgroup removed while we
 * read it (ENOENT/ENODEV) and a value that does not parse all yield an empty result and a log line
 * naming the file; nothing is thrown to the scrape.
 */
final class CgroupFile {
  private static final Logger LOG = LoggerFactory.getLogger(CgroupFile.class);

  /** Value standing for the kernel's {@code max}. */
  static final long MAX = Long.MAX_VALUE;

  private CgroupFile() {}

  /**
   * The whole file as text, or empty if it cannot be read. Reads from offset 0 into a 4 KiB buffer
   * first: procfs/cgroupfs report size 0, and {@code Files.readAllBytes} would then probe with a
   * one-byte read, which costs a syscall and breaks files that only answer a read at offset 0
   * (sysctls). A read that returns less than the space left ends the file: seq_file-backed
   * pseudo-files (all of cgroupfs) and regular files fill the buffer unless they are at their end,
   * so the usual end-of-file read (one more syscall per file) is skipped. Uses a plain {@link
   * FileInputStream}: open, read, close, without the channel layer of {@code Files.newInputStream}.
   */
  static Optional<String> read(Path file) {
    try (FileInputStream in = new FileInputStream(file.toString())) {
      byte[] buffer = new byte[4096];
      int length = 0;
      int n;
      while ((n = in.read(buffer, length, buffer.length - length)) > 0) {
        int asked = buffer.length - length;
        length += n;
        if (n < asked) {
          break;
        }
        if (length == buffer.length) {
          buffer = Arrays.copyOf(buffer, buffer.length * 2);
        }
      }
      return Optional.of(new String(buffer, 0, length, StandardCharsets.ISO_8859_1));
    } catch (FileNotFoundException e) {
      // the JDK reports every failed open this way; a missing file is normal (optional files)
      String reason = String.valueOf(e.getMessage());
      if (!reason.endsWith("(No such file or directory)")) {
        LOG.debug("cannot open cgroup file {}: {}", file, reason);
      }
      return Optional.empty();
    } catch (IOException e) {
      LOG.debug("cannot read cgroup file {}: {}", file, e.toString());
      return Optional.empty();
    }
  }

  /** A single-number file; {@code max} reads as {@link #MAX}. */
  static OptionalLong readLong(Path file) {
    return readLong(FileText.ONE_SHOT, file);
  }

  /** {@link #readLong(Path)} with the text from {@code files}. */
  static OptionalLong readLong(FileText files, Path file) {
    Optional<String> text = files.read(file);
    if (text.isEmpty()) {
      return OptionalLong.empty();
    }
    return parseLong(text.get().trim(), file);
  }

  static OptionalLong parseLong(String value, Path file) {
    if (value.equals("max")) {
      return OptionalLong.of(MAX);
    }
    try {
      return OptionalLong.of(Long.parseLong(value));
    } catch (NumberFormatException e) {
      // Unsigned 64-bit values above Long.MAX_VALUE (e.g. an "unlimited" limit) saturate.
      if (!value.isEmpty() && value.chars().allMatch(Character::isDigit)) {
        return OptionalLong.of(MAX);
      }
      LOG.warn("unparsable value '{}' in cgroup file {}", value, file);
      return OptionalLong.empty();
    }
  }

  /** A flat-keyed file ({@code key value} per line), e.g. {@code memory.stat}. */
  static Map<String, Long> readKeyed(Path file) {
    return readKeyed(FileText.ONE_SHOT, file);
  }

  /** {@link #readKeyed(Path)} with the text from {@code files}. */
  static Map<String, Long> readKeyed(FileText files, Path file) {
    Optional<String> text = files.read(file);
    if (text.isEmpty()) {
      return Map.of();
    }
    Map<String, Long> values = new HashMap<>(64);
    String s = text.get();
    int start = 0;
    int length = s.length();
    while (start < length) {
      int end = s.indexOf('\n', start);
      if (end < 0) {
        end = length;
      }
      int space = s.indexOf(' ', start);
      if (space > start && space < end) {
        OptionalLong value = parseLong(s.substring(space + 1, end).trim(), file);
        if (value.isPresent()) {
          values.put(s.substring(start, space), value.getAsLong());
        }
      }
      start = end + 1;
    }
    return values;
  }

  static OptionalLong key(Map<String, Long> values, String key) {
    Long value = values.get(key);
    return value == null ? OptionalLong.empty() : OptionalLong.of(value);
  }

  /** The first of {@code keys} present. */
  static OptionalLong firstKey(Map<String, Long> values, String... keys) {
    for (String key : keys) {
      Long value = values.get(key);
      if (value != null) {
        return OptionalLong.of(value);
      }
    }
    return OptionalLong.empty();
  }

  /** Number of non-empty lines, e.g. of {@code cgroup.procs}. */
  static OptionalLong countLines(Path file) {
    return countLines(FileText.ONE_SHOT, file);
  }

  /** {@link #countLines(Path)} with the text from {@code files}. */
  static OptionalLong countLines(FileText files, Path file) {
    Optional<String> text = files.read(file);
    if (text.isEmpty()) {
      return OptionalLong.empty();
    }
    long lines = 0;
    String s = text.get();
    int start = 0;
    while (start < s.length()) {
      int end = s.indexOf('\n', start);
      if (end < 0) {
        end = s.length();
      }
      if (end > start) {
        lines++;
      }
      start = end + 1;
    }
    return OptionalLong.of(lines);
  }

  /** Parses a PSI file into its {@code some} and {@code full} lines. */
  static Map<String, Pressure> readPressure(Path file) {
    return readPressure(FileText.ONE_SHOT, file);
  }

  /** {@link #readPressure(Path)} with the text from {@code files}. */
  static Map<String, Pressure> readPressure(FileText files, Path file) {
    Optional<String> text = files.read(file);
    if (text.isEmpty()) {
      return Map.of();
    }
    Map<String, Pressure> lines = new HashMap<>(4);
    for (String line : text.get().split("\n")) {
      String[] parts = line.trim().split(" ");
      if (parts.length != 5) {
        continue;
      }
      try {
        lines.put(
            parts[0],
            new Pressure(
                Double.parseDouble(value(parts[1], "avg10=")),
                Double.parseDouble(value(parts[2], "avg60=")),
                Double.parseDouble(value(parts[3], "avg300=")),
                Long.parseLong(value(parts[4], "total="))));
      } catch (IllegalArgumentException e) {
        LOG.warn("unparsable PSI line '{}' in {}", line, file);
      }
    }
    return lines;
  }

  private static String value(String field, String prefix) {
    if (!field.startsWith(prefix)) {
      throw new IllegalArgumentException("expected " + prefix + " in " + field);
    }
    return field.substring(prefix.length());
  }
}
