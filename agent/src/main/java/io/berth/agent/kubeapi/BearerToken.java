package io.berth.agent.kubeapi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The bearer token for requests: a static one, or a token file re-read at most once a minute (as
 * client-go's cached token source does) so a rotated projected token is picked up. A file that
 * cannot be read keeps the last good token. Thread-safe.
 */
public final class BearerToken {
  static final Duration REREAD = Duration.ofMinutes(1);

  private final Optional<String> fixed;
  private final Optional<Path> file;
  private final Clock clock;
  private String cached;
  private Instant readAt;

  public BearerToken(Optional<String> fixed, Optional<Path> file, Clock clock) {
    this.fixed = fixed;
    this.file = file;
    this.clock = clock;
  }

  /** The token to send, if any. */
  public synchronized Optional<String> current() {
    if (file.isPresent()) {
      Instant now = clock.instant();
      if (readAt == null || !now.isBefore(readAt.plus(REREAD))) {
        try {
          cached = Files.readString(file.get()).trim();
          readAt = now;
        } catch (IOException e) {
          if (cached == null) {
            return fixed;
          }
        }
      }
      return Optional.ofNullable(cached);
    }
    return fixed;
  }
}
