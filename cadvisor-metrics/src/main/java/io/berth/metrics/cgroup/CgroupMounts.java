package io.berth.metrics.cgroup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where the cgroup hierarchies are mounted, parsed from {@code /proc/self/mountinfo}.
 *
 * @param mode v1, hybrid or unified
 * @param v1Controllers controller name ({@code cpu}, {@code memory}, ...) to its v1 mount point; a
 *     co-mounted hierarchy such as {@code cpu,cpuacct} appears under both names
 * @param unified the cgroup2 mount point, if any
 */
public record CgroupMounts(
    CgroupMode mode, Map<String, Path> v1Controllers, Optional<Path> unified) {

  /** The v1 controllers berth reads. */
  public static final Set<String> READ_CONTROLLERS =
      Set.of("cpu", "cpuacct", "memory", "blkio", "pids");

  public CgroupMounts {
    v1Controllers = Map.copyOf(v1Controllers);
  }

  /** Reads and parses a mountinfo file. */
  public static CgroupMounts detect(Path mountinfo) throws IOException {
    return parse(Files.readString(mountinfo, StandardCharsets.UTF_8));
  }

  /**
   * Parses mountinfo text (proc(5)): {@code id parent maj:min root mountpoint options [optional
   * fields] - fstype source superoptions}.
   *
   * @throws IllegalStateException when no cgroup mount is present
   */
  public static CgroupMounts parse(String mountinfo) {
    Map<String, Path> controllers = new LinkedHashMap<>();
    Path unified = null;
    for (String line : mountinfo.split("\n")) {
      String[] fields = line.trim().split(" ");
      int dash = indexOf(fields, "-");
      if (dash < 5 || dash + 3 >= fields.length) {
        continue;
      }
      String fsType = fields[dash + 1];
      Path mountPoint = Path.of(unescape(fields[4]));
      if (fsType.equals("cgroup2")) {
        if (unified == null) {
          unified = mountPoint;
        }
      } else if (fsType.equals("cgroup")) {
        for (String option : fields[dash + 3].split(",")) {
          if (READ_CONTROLLERS.contains(option)) {
            controllers.putIfAbsent(option, mountPoint);
          }
        }
      }
    }
    CgroupMode mode;
    if (!controllers.isEmpty()) {
      mode = unified == null ? CgroupMode.V1 : CgroupMode.HYBRID;
    } else if (unified != null) {
      mode = CgroupMode.UNIFIED;
    } else {
      throw new IllegalStateException("no cgroup or cgroup2 mount found in mountinfo");
    }
    return new CgroupMounts(mode, controllers, Optional.ofNullable(unified));
  }

  private static int indexOf(String[] fields, String wanted) {
    for (int i = 0; i < fields.length; i++) {
      if (fields[i].equals(wanted)) {
        return i;
      }
    }
    return -1;
  }

  /** mountinfo escapes space, tab, newline and backslash as 3-digit octal ({@code \040}). */
  public static String unescape(String field) {
    if (field.indexOf('\\') < 0) {
      return field;
    }
    StringBuilder out = new StringBuilder(field.length());
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && i + 3 < field.length()) {
        String octal = field.substring(i + 1, i + 4);
        if (octal.chars().allMatch(d -> d >= '0' && d <= '7')) {
          out.append((char) Integer.parseInt(octal, 8));
          i += 3;
          continue;
        }
      }
      out.append(c);
    }
    return out.toString();
  }
}
