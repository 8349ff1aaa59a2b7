package io.berth.cri;

import java.util.List;

/**
 * An image known to the runtime.
 *
 * @param uid the image's default user id, {@code null} when it names a user instead
 */
public record Image(
    String id,
    List<String> repoTags,
    List<String> repoDigests,
    long size,
    Long uid,
    String username,
    ImageSpec spec,
    boolean pinned) {
  public Image {
    id = Copies.str(id);
    repoTags = Copies.list(repoTags);
    repoDigests = Copies.list(repoDigests);
    username = Copies.str(username);
  }
}
