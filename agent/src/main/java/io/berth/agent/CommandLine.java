package io.berth.agent;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed command line: one command word and {@code --name value} / {@code --name=value} options.
 * Unknown options are refused by the command that reads them (see {@link #option}).
 */
record CommandLine(String command, Map<String, String> options) {
  static final String USAGE =
      """
      usage: berth version
             berth runtime-info [--container-runtime-endpoint ENDPOINT]
      ENDPOINT is unix:///path/to/socket (default %s)"""
          .formatted(BerthMain.DEFAULT_RUNTIME_ENDPOINT);

  static CommandLine parse(List<String> args) {
    if (args.isEmpty()) {
      throw new UsageException("no command given");
    }
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 1; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--") || arg.length() == 2) {
        throw new UsageException("unexpected argument '" + arg + "'");
      }
      String name = arg.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (i + 1 < args.size()) {
        value = args.get(++i);
      } else {
        throw new UsageException("option --" + name + " needs a value");
      }
      if (options.put(name, value) != null) {
        throw new UsageException("option --" + name + " given twice");
      }
    }
    return new CommandLine(args.get(0), Map.copyOf(options));
  }

  /** The option's value or {@code fallback}; refuses options this command does not know. */
  String option(String name, String fallback) {
    for (String given : options.keySet()) {
      if (!given.equals(name)) {
        throw new UsageException("unknown option --" + given + " for '" + command + "'");
      }
    }
    return options.getOrDefault(name, fallback);
  }
}
