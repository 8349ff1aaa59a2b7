package io.berth.metrics.cgroup;

import io.berth.metrics.stats.IoDeviceStats;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Parses v1 blkio files and v2 {@code io.stat} into per-device records. */
final class BlkioParser {
  private static final Logger LOG = LoggerFactory.getLogger(BlkioParser.class);

  private BlkioParser() {}

  /** Mutable accumulator per device while parsing. */
  private static final class Acc {
    long readBytes;
    long writeBytes;
    long readOps;
    long writeOps;
  }

  /**
   * v1: lines {@code major:minor Op value} (Op in Read, Write, Sync, Async, Discard, Total) and a
   * final {@code Total n}.
   */
  static List<IoDeviceStats> v1(Path serviceBytes, Path serviced) {
    return v1(FileText.ONE_SHOT, serviceBytes, serviced);
  }

  /** {@link #v1(Path, Path)} with the text from {@code files}. */
  static List<IoDeviceStats> v1(FileText files, Path serviceBytes, Path serviced) {
    TreeMap<Long, Acc> devices = new TreeMap<>();
    parseV1(files, serviceBytes, devices, true);
    parseV1(files, serviced, devices, false);
    return toList(devices);
  }

  private static void parseV1(
      FileText files, Path file, TreeMap<Long, Acc> devices, boolean bytes) {
    Optional<String> text = files.read(file);
    if (text.isEmpty()) {
      return;
    }
    for (String line : text.get().split("\n")) {
      String[] parts = line.split(" ");
      if (parts.length != 3) {
        continue;
      }
      long key = deviceKey(parts[0], file);
      if (key < 0) {
        continue;
      }
      long value;
      try {
        value = Long.parseLong(parts[2]);
      } catch (NumberFormatException e) {
        LOG.warn("unparsable blkio line '{}' in {}", line, file);
        continue;
      }
      Acc acc = devices.computeIfAbsent(key, k -> new Acc());
      switch (parts[1]) {
        case "Read" -> {
          if (bytes) {
            acc.readBytes = value;
          } else {
            acc.readOps = value;
          }
        }
        case "Write" -> {
          if (bytes) {
            acc.writeBytes = value;
          } else {
            acc.writeOps = value;
          }
        }
        default -> {}
      }
    }
  }

  /** v2: lines {@code major:minor rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N}. */
  static List<IoDeviceStats> v2(Path ioStat) {
    TreeMap<Long, Acc> devices = new TreeMap<>();
    Optional<String> text = CgroupFile.read(ioStat);
    if (text.isEmpty()) {
      return List.of();
    }
    for (String line : text.get().split("\n")) {
      String[] parts = line.trim().split(" ");
      if (parts.length < 2) {
        continue;
      }
      long key = deviceKey(parts[0], ioStat);
      if (key < 0) {
        continue;
      }
      Acc acc = devices.computeIfAbsent(key, k -> new Acc());
      for (int i = 1; i < parts.length; i++) {
        int eq = parts[i].indexOf('=');
        if (eq < 0) {
          continue;
        }
        long value;
        try {
          value = Long.parseLong(parts[i].substring(eq + 1));
        } catch (NumberFormatException e) {
          LOG.warn("unparsable io.stat field '{}' in {}", parts[i], ioStat);
          continue;
        }
        switch (parts[i].substring(0, eq)) {
          case "rbytes" -> acc.readBytes = value;
          case "wbytes" -> acc.writeBytes = value;
          case "rios" -> acc.readOps = value;
          case "wios" -> acc.writeOps = value;
          default -> {}
        }
      }
    }
    return toList(devices);
  }

  private static long deviceKey(String majorMinor, Path file) {
    int colon = majorMinor.indexOf(':');
    if (colon < 0) {
      return -1; // e.g. the trailing "Total n" line
    }
    try {
      long major = Long.parseLong(majorMinor.substring(0, colon));
      long minor = Long.parseLong(majorMinor.substring(colon + 1));
      return (major << 32) | minor;
    } catch (NumberFormatException e) {
      LOG.warn("unparsable device '{}' in {}", majorMinor, file);
      return -1;
    }
  }

  private static List<IoDeviceStats> toList(TreeMap<Long, Acc> devices) {
    List<IoDeviceStats> out = new ArrayList<>(devices.size());
    devices.forEach(
        (key, acc) ->
            out.add(
                new IoDeviceStats(
                    (int) (key >>> 32),
                    (int) (key & 0xffffffffL),
                    acc.readBytes,
                    acc.writeBytes,
                    acc.readOps,
                    acc.writeOps)));
    return out;
  }
}
