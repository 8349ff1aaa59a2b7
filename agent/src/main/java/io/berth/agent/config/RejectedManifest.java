package io.berth.agent.config;

import java.time.Instant;
import java.util.Objects;

/**
 * A manifest (a file, the manifest URL, or one pod of a source) that berth refused, and why.
 * Exposed through {@link PodConfig#rejectedManifests()} as berth's local view of what it is not
 * running.
 *
 * @param source the source that offered it
 * @param location the file path, the URL, or the pod's full name for a merge conflict
 * @param reason one line saying why, e.g. the API server's validation message
 * @param time when berth first rejected this content
 */
public record RejectedManifest(ConfigSource source, String location, String reason, Instant time) {
  public RejectedManifest {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(time, "time");
  }
}
