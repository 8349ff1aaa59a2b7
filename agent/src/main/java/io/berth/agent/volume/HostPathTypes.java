package io.berth.agent.volume;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The kubelet's hostPath {@code type} checks: {@code DirectoryOrCreate} and {@code FileOrCreate}
 * create what is missing (0755 directory, 0644 empty file); the other types require the path to
 * exist with that file type; {@code ""} checks nothing.
 */
final class HostPathTypes {
  private static final int S_IFMT = 0170000;
  private static final int S_IFSOCK = 0140000;
  private static final int S_IFBLK = 0060000;
  private static final int S_IFCHR = 0020000;

  private HostPathTypes() {}

  static void check(String volume, Path path, String type) throws VolumeException {
    String t = type == null ? "" : type;
    String what = "hostPath volume \"" + volume + "\": " + path;
    try {
      switch (t) {
        case "" -> {}
        case "DirectoryOrCreate" -> {
          if (!Files.exists(path)) {
            Files.createDirectories(path);
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
          } else if (!Files.isDirectory(path)) {
            throw new VolumeException(what + " exists but is not a directory");
          }
        }
        case "Directory" -> {
          if (!Files.isDirectory(path)) {
            throw new VolumeException(what + " is not a directory (type Directory)");
          }
        }
        case "FileOrCreate" -> {
          if (!Files.exists(path)) {
            if (path.getParent() == null || !Files.isDirectory(path.getParent())) {
              throw new VolumeException(what + ": parent directory does not exist");
            }
            try {
              Files.createFile(
                  path,
                  PosixFilePermissions.asFileAttribute(
                      PosixFilePermissions.fromString("rw-r--r--")));
            } catch (FileAlreadyExistsException raced) {
              // created meanwhile; checked below
            }
          }
          if (!Files.isRegularFile(path)) {
            throw new VolumeException(what + " exists but is not a file");
          }
        }
        case "File" -> {
          if (!Files.isRegularFile(path)) {
            throw new VolumeException(what + " is not a file (type File)");
          }
        }
        case "Socket" -> requireKind(what, path, S_IFSOCK, "a socket");
        case "CharDevice" -> requireKind(what, path, S_IFCHR, "a character device");
        case "BlockDevice" -> requireKind(what, path, S_IFBLK, "a block device");
        default -> throw new VolumeException(what + ": unknown hostPath type \"" + t + "\"");
      }
    } catch (IOException e) {
      throw new VolumeException(what + ": " + e.getMessage(), e);
    }
  }

  private static void requireKind(String what, Path path, int kind, String name)
      throws IOException, VolumeException {
    if (!Files.exists(path)) {
      throw new VolumeException(what + " does not exist (must be " + name + ")");
    }
    int mode = (Integer) Files.getAttribute(path, "unix:mode");
    if ((mode & S_IFMT) != kind) {
      throw new VolumeException(what + " is not " + name);
    }
  }
}
