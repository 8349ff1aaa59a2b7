package io.berth.agent.server;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The pod-addressed paths of the node API, split and checked: {@code
 * /containerLogs/{ns}/{pod}/{container}}, {@code /exec|/attach/{ns}/{pod}[/{uid}]/{container}},
 * {@code /portForward/{ns}/{pod}[/{uid}]}. Namespaces and container names must be DNS-1123 labels,
 * pod names DNS-1123 subdomains: nothing else can name a pod, and nothing that passes can climb out
 * of a directory.
 */
record NodePaths(String kind, String namespace, String pod, String container) {
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern UID = Pattern.compile("[-a-zA-Z0-9]{1,64}");

  /**
   * Parses {@code path} (percent-decoded). Empty when it is not one of these routes; {@link
   * NodeApiException.BadRequest} when it is, with a name that is not valid.
   */
  static Optional<NodePaths> parse(String path) {
    List<String> s = List.of(path.substring(1).split("/", -1));
    String kind = s.get(0);
    switch (kind) {
      case "containerLogs" -> {
        if (s.size() != 4) {
          return Optional.empty();
        }
        return Optional.of(checked(kind, s.get(1), s.get(2), s.get(3)));
      }
      case "exec", "attach" -> {
        if (s.size() == 4) {
          return Optional.of(checked(kind, s.get(1), s.get(2), s.get(3)));
        }
        if (s.size() == 5) {
          uid(s.get(3));
          return Optional.of(checked(kind, s.get(1), s.get(2), s.get(4)));
        }
        return Optional.empty();
      }
      case "portForward" -> {
        if (s.size() == 3 || s.size() == 4) {
          if (s.size() == 4) {
            uid(s.get(3));
          }
          return Optional.of(checked(kind, s.get(1), s.get(2), null));
        }
        return Optional.empty();
      }
      default -> {
        return Optional.empty();
      }
    }
  }

  private static void uid(String uid) {
    if (!UID.matcher(uid).matches()) {
      throw new NodeApiException.BadRequest("invalid pod uid");
    }
  }

  private static NodePaths checked(String kind, String ns, String pod, String container) {
    if (ns.length() > 63 || !LABEL.matcher(ns).matches()) {
      throw new NodeApiException.BadRequest("invalid namespace");
    }
    if (pod.length() > 253 || !SUBDOMAIN.matcher(pod).matches()) {
      throw new NodeApiException.BadRequest("invalid pod name");
    }
    if (container != null && (container.length() > 63 || !LABEL.matcher(container).matches())) {
      throw new NodeApiException.BadRequest("invalid container name");
    }
    return new NodePaths(kind, ns, pod, container);
  }
}
