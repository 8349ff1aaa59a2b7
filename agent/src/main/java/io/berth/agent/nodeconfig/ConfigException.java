package io.berth.agent.nodeconfig;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A configuration file berth refuses to start with. The message is one line naming the file and
 * every invalid field with its path and the reason.
 */
public final class ConfigException extends RuntimeException {
  private final transient List<ConfigProblem> problems;

  public ConfigException(Path file, List<ConfigProblem> problems) {
    super(
        "config "
            + file
            + ": "
            + problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("; ")));
    this.problems = List.copyOf(problems);
  }

  public ConfigException(Path file, String message) {
    this(file, List.of(new ConfigProblem("(file)", message)));
  }

  public List<ConfigProblem> problems() {
    return problems;
  }
}
