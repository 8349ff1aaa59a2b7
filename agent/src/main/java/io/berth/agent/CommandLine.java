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
             berth run [--container-runtime-endpoint ENDPOINT] [--address IP] [--port N]
                       [--node-name NAME] [--root-dir DIR] [--pod-manifest-path DIR]
                       [--cgroup-root /kubepods] [--pod-logs-dir /var/log/pods]
                       [--manifest-url URL]
                       [--kubeconfig FILE]
             berth pods [--server http://127.0.0.1:%2$d] [--output wide|json]
      ENDPOINT is unix:///path/to/socket (default %s)
      run serves /healthz, /pods and the metrics endpoints on http://IP:N (default 127.0.0.1:%d)
      and runs the static pods from --pod-manifest-path and --manifest-url (polled every 20 s)
      and, with --kubeconfig, the pods the API server binds to --node-name"""
          .formatted(BerthMain.DEFAULT_RUNTIME_ENDPOINT, BerthMain.DEFAULT_PORT);

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

  /** Refuses any option outside {@code known}; returns this for chaining. */
  CommandLine accepting(String... known) {
    java.util.Set<String> allowed = java.util.Set.of(known);
    for (String given : options.keySet()) {
      if (!allowed.contains(given)) {
        throw new UsageException("unknown option --" + given + " for '" + command + "'");
      }
    }
    return this;
  }

  /** The option's value or {@code fallback}. */
  String value(String name, String fallback) {
    return options.getOrDefault(name, fallback);
  }

  /** The option as a port number (0-65535) or {@code fallback}. */
  int port(String name, int fallback) {
    String v = options.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      int port = Integer.parseInt(v);
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // fall through to the usage error
    }
    throw new UsageException(
        "option --" + name + " must be a port number (0-65535), got '" + v + "'");
  }
}
