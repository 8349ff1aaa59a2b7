package io.berth.agent;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed command line: one command word, {@code --name value} / {@code --name=value} options,
 * short forms ({@code -c C}, {@code -o json}, {@code -n NS}, {@code -f}, {@code -p}), switches that
 * take no value ({@code --follow}, {@code --previous}), and positional arguments ({@code berth logs
 * POD}). Unknown options and unexpected arguments are refused by the command that reads them (see
 * {@link #accepting} and {@link #acceptingArgs}).
 */
record CommandLine(String command, Map<String, String> options, List<String> args) {
  /** Short option letters and the long options they stand for. */
  private static final Map<String, String> SHORT =
      Map.of("c", "container", "o", "output", "n", "namespace", "f", "follow", "p", "previous");

  /** Options that take no value: given means {@code true}. */
  private static final java.util.Set<String> SWITCHES =
      java.util.Set.of("follow", "previous", "timestamps");

  static final String USAGE =
      """
      usage: berth version
             berth runtime-info [--container-runtime-endpoint ENDPOINT]
             berth config print-defaults
             berth run [--config FILE] [--log-format text|json]
                       [--container-runtime-endpoint ENDPOINT] [--address IP] [--port N]
                       [--node-name NAME] [--root-dir DIR] [--pod-manifest-path DIR]
                       [--cgroup-root /kubepods] [--pod-logs-dir /var/log/pods]
                       [--manifest-url URL] [--static-object-dir DIR] [--kubeconfig FILE]
                       [--service-dir DIR] [--proxy-mode auto|nftables|iptables|ipvs|none]
                       [--cluster-cidr CIDR,...] [--nodeport-addresses CIDR,...]
                       [--proxy-healthz-bind-address 127.0.0.1:10256]
                       [--proxy-sync-period 30s] [--proxy-min-sync-period 1s]
             berth cleanup
             berth pods [--server http://127.0.0.1:%2$d] [-o wide|json]
             berth probes [--server http://127.0.0.1:%2$d] [-o wide|json]
             berth services [--server http://127.0.0.1:%2$d] [-o wide|json]
             berth describe pod NAME [-n NAMESPACE] [-o text|json] [--server URL]
             berth logs POD [-c CONTAINER] [-n NAMESPACE] [-f] [--tail N] [--previous]
                        [--timestamps] [--pod-logs-dir /var/log/pods]
      ENDPOINT is unix:///path/to/socket (default %s)
      run serves /healthz, /pods and the metrics endpoints on http://IP:N (default 127.0.0.1:%d)
      and runs the static pods from --pod-manifest-path and --manifest-url (polled every 20 s)
      and, with --kubeconfig, the pods the API server binds to --node-name;
      their configMap/secret volumes and env read ConfigMap/Secret files from --static-object-dir;
      with --service-dir (or --kubeconfig: the API's) it programs the Services there (nftables
      tables ip/ip6 berth, or BERTH-* iptables chains) and serves the proxy's /healthz on
      --proxy-healthz-bind-address; cleanup deletes those tables and chains;
      --config FILE is a KubeletConfiguration (+ KubeProxyConfiguration) YAML; flags override it"""
          .formatted(BerthMain.DEFAULT_RUNTIME_ENDPOINT, BerthMain.DEFAULT_PORT);

  static CommandLine parse(List<String> args) {
    if (args.isEmpty()) {
      throw new UsageException("no command given");
    }
    String command =
        switch (args.get(0)) {
          case "--version", "-v" -> "version";
          case "--help", "-h" -> "help";
          default -> args.get(0);
        };
    Map<String, String> options = new LinkedHashMap<>();
    List<String> positional = new java.util.ArrayList<>();
    for (int i = 1; i < args.size(); i++) {
      String arg = args.get(i);
      String name;
      if (arg.startsWith("--") && arg.length() > 2) {
        name = arg.substring(2);
      } else if (arg.startsWith("-") && arg.length() == 2 && SHORT.containsKey(arg.substring(1))) {
        name = SHORT.get(arg.substring(1));
      } else if (!arg.startsWith("-")) {
        positional.add(arg);
        continue;
      } else {
        throw new UsageException("unexpected argument '" + arg + "'");
      }
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (SWITCHES.contains(name)) {
        value = "true";
      } else if (i + 1 < args.size()) {
        value = args.get(++i);
      } else {
        throw new UsageException("option --" + name + " needs a value");
      }
      if (options.put(name, value) != null) {
        throw new UsageException("option --" + name + " given twice");
      }
    }
    return new CommandLine(command, Map.copyOf(options), List.copyOf(positional));
  }

  /** Refuses any option outside {@code known} and any positional argument; returns this. */
  CommandLine accepting(String... known) {
    return acceptingArgs(0, known);
  }

  /** Refuses options outside {@code known} and more than {@code maxArgs} positional arguments. */
  CommandLine acceptingArgs(int maxArgs, String... known) {
    if (args.size() > maxArgs) {
      throw new UsageException(
          "unexpected argument '" + args.get(maxArgs) + "' for '" + command + "'");
    }
    java.util.Set<String> allowed = java.util.Set.of(known);
    for (String given : options.keySet()) {
      if (!allowed.contains(given)) {
        throw new UsageException("unknown option --" + given + " for '" + command + "'");
      }
    }
    return this;
  }

  /** Whether a switch such as {@code --follow} was given (and not as {@code --follow=false}). */
  boolean flag(String name) {
    String v = options.get(name);
    if (v == null || v.equals("false")) {
      return false;
    }
    if (v.equals("true")) {
      return true;
    }
    throw new UsageException("option --" + name + " takes no value, got '" + v + "'");
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
