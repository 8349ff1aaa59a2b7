package io.berth.cri;

import java.util.List;

/** Filesystems that hold images (and, when separate, container writable layers). */
public record ImageFsInfo(
    List<FilesystemUsage> imageFilesystems, List<FilesystemUsage> containerFilesystems) {
  public ImageFsInfo {
    imageFilesystems = Copies.list(imageFilesystems);
    containerFilesystems = Copies.list(containerFilesystems);
  }
}
