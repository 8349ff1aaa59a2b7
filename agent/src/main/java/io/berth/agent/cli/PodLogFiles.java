package io.berth.agent.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where a container's log files are, as the kubelet lays them out: {@code
 * <podLogsDir>/<namespace>_<pod>_<uid>/<container>/<restartCount>.log}, one file per container
 * instance. The current instance is the highest count; the previous one the next lower.
 *
 * @param dir the container's log directory
 * @param pod {@code namespace/name}
 * @param instances the restart counts that have a log file, ascending
 */
public record PodLogFiles(Path dir, String pod, String container, List<Integer> instances) {
  private static final Pattern LOG = Pattern.compile("(\\d+)\\.log");

  /** The current instance's log file. */
  public Path current() {
    return dir.resolve(instances.getLast() + ".log");
  }

  /** The previous instance's log file; kubectl's wording when there is none. */
  public Path previous() {
    if (instances.size() < 2) {
      throw new CliException(
          "previous terminated container \"" + container + "\" in pod \"" + pod + "\" not found");
    }
    return dir.resolve(instances.get(instances.size() - 2) + ".log");
  }

  /** Whether a newer instance than {@code restartCount} has started writing its log. */
  public boolean hasNewerThan(int restartCount) {
    return restartCounts(dir).stream().anyMatch(n -> n > restartCount);
  }

  /**
   * Finds the logs of {@code container} (null: the pod's only container) of pod {@code
   * namespace/name}; with several pod directories of that name (older UIDs), the newest.
   */
  public static PodLogFiles find(Path podLogsDir, String namespace, String name, String container) {
    String pod = namespace + "/" + name;
    String prefix = namespace + "_" + name + "_";
    Path podDir;
    try (Stream<Path> dirs = list(podLogsDir)) {
      podDir =
          dirs.filter(d -> d.getFileName().toString().startsWith(prefix))
              .filter(d -> d.getFileName().toString().indexOf('_', prefix.length()) < 0)
              .max(Comparator.comparing(PodLogFiles::modified))
              .orElseThrow(
                  () ->
                      new CliException(
                          "no logs for pod "
                              + pod
                              + " under "
                              + podLogsDir
                              + knownPods(podLogsDir, namespace)));
    }
    List<String> containers;
    try (Stream<Path> dirs = list(podDir)) {
      containers =
          dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).sorted().toList();
    }
    String chosen = container;
    if (chosen == null) {
      if (containers.size() != 1) {
        throw new CliException(
            "a container name must be specified for pod "
                + pod
                + ", choose one of: "
                + containers
                + " (-c NAME)");
      }
      chosen = containers.getFirst();
    } else if (!containers.contains(chosen)) {
      throw new CliException(
          "container "
              + chosen
              + " is not valid for pod "
              + pod
              + ", choose one of: "
              + containers);
    }
    Path dir = podDir.resolve(chosen);
    List<Integer> counts = restartCounts(dir);
    if (counts.isEmpty()) {
      throw new CliException(
          "container " + chosen + " of pod " + pod + " has no log file in " + dir);
    }
    return new PodLogFiles(dir, pod, chosen, counts);
  }

  private static List<Integer> restartCounts(Path dir) {
    List<Integer> counts = new ArrayList<>();
    try (Stream<Path> files = list(dir)) {
      files.forEach(
          f -> {
            Matcher m = LOG.matcher(f.getFileName().toString());
            if (m.matches()) {
              counts.add(Integer.parseInt(m.group(1)));
            }
          });
    }
    counts.sort(null);
    return counts;
  }

  private static String knownPods(Path podLogsDir, String namespace) {
    try (Stream<Path> dirs = list(podLogsDir)) {
      List<String> names =
          dirs.map(d -> d.getFileName().toString())
              .filter(n -> n.startsWith(namespace + "_") && n.lastIndexOf('_') > namespace.length())
              .map(n -> n.substring(namespace.length() + 1, n.lastIndexOf('_')))
              .sorted()
              .distinct()
              .toList();
      return names.isEmpty()
          ? " (no pods of namespace " + namespace + " there)"
          : " (pods of namespace " + namespace + " there: " + String.join(", ", names) + ")";
    }
  }

  private static Stream<Path> list(Path dir) {
    try {
      return Files.list(dir);
    } catch (IOException e) {
      throw new CliException("cannot read " + dir + ": " + e.getMessage());
    }
  }

  private static long modified(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }
}
