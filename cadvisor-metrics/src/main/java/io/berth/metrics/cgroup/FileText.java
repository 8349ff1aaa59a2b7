package io.berth.metrics.cgroup;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the text of a cgroup pseudo-file comes from: opened, read and closed each time ({@link
 * CgroupFile#read(Path)}), or kept open and re-read from offset 0 ({@link OpenCgroupFiles}). Empty
 * when the file cannot be read (missing, or its cgroup removed).
 */
@FunctionalInterface
interface FileText {
  /** Opens, reads and closes {@code file} on every call. */
  FileText ONE_SHOT = CgroupFile::read;

  Optional<String> read(Path file);
}
