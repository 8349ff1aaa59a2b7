package io.berth.agent.server;

import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The kubelet's {@code PodLogOptions} from a {@code /containerLogs} query: {@code follow}, {@code
 * previous}, {@code timestamps} (Go booleans), {@code tailLines} (≥ 0), {@code limitBytes} (≥ 1),
 * {@code sinceSeconds} (≥ 1) or {@code sinceTime} (RFC 3339), not both. A bad value is a {@link
 * NodeApiException.BadRequest} whose message names the parameter but never repeats the value.
 */
public record ContainerLogOptions(
    boolean follow,
    boolean previous,
    boolean timestamps,
    Optional<Integer> tailLines,
    Optional<Long> limitBytes,
    Optional<Instant> since) {

  /** Parses {@code query}; {@code sinceSeconds} counts back from {@code clock}'s now. */
  public static ContainerLogOptions parse(Map<String, List<String>> query, Clock clock) {
    Optional<Long> sinceSeconds = number(query, "sinceSeconds", 1);
    Optional<String> sinceTime = first(query, "sinceTime");
    if (sinceSeconds.isPresent() && sinceTime.isPresent()) {
      throw new NodeApiException.BadRequest(
          "at most one of sinceTime or sinceSeconds may be specified");
    }
    Optional<Instant> since = sinceSeconds.map(s -> clock.instant().minusSeconds(s));
    if (sinceTime.isPresent()) {
      try {
        since = Optional.of(Instant.parse(sinceTime.get()));
      } catch (DateTimeParseException e) {
        throw new NodeApiException.BadRequest("sinceTime must be an RFC 3339 time");
      }
    }
    return new ContainerLogOptions(
        bool(query, "follow"),
        bool(query, "previous"),
        bool(query, "timestamps"),
        number(query, "tailLines", 0).map(Long::intValue),
        number(query, "limitBytes", 1),
        since);
  }

  private static Optional<String> first(Map<String, List<String>> query, String name) {
    List<String> v = query.get(name);
    return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
  }

  /** Go's strconv.ParseBool, with an absent or empty value false. */
  static boolean bool(Map<String, List<String>> query, String name) {
    String v = first(query, name).orElse("");
    return switch (v) {
      case "", "0", "f", "F", "false", "FALSE", "False" -> false;
      case "1", "t", "T", "true", "TRUE", "True" -> true;
      default -> throw new NodeApiException.BadRequest(name + " must be a boolean");
    };
  }

  private static Optional<Long> number(Map<String, List<String>> query, String name, long min) {
    Optional<String> v = first(query, name);
    if (v.isEmpty()) {
      return Optional.empty();
    }
    long n;
    try {
      n = Long.parseLong(v.get());
    } catch (NumberFormatException e) {
      throw new NodeApiException.BadRequest(name + " must be an integer");
    }
    if (n < min || n > Integer.MAX_VALUE && name.equals("tailLines")) {
      throw new NodeApiException.BadRequest(
          name + " must be between " + min + " and " + Integer.MAX_VALUE);
    }
    return Optional.of(n);
  }
}
