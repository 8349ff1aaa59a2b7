package io.berth.cri.internal;

import io.berth.cri.CriUnavailableException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A CRI endpoint on a Unix socket, parsed from {@code unix:///path} or a bare absolute path.
 *
 * @param socket absolute path of the socket file
 * @param display the endpoint as shown in messages, always {@code unix:///path}
 */
public record UnixEndpoint(Path socket, String display) {
  private static final int S_IFMT = 0170000;
  private static final int S_IFSOCK = 0140000;

  /**
   * Parses an endpoint.
   *
   * @throws IllegalArgumentException with a one-line reason when it is not a Unix socket endpoint
   */
  public static UnixEndpoint parse(String endpoint) {
    if (endpoint == null || endpoint.isBlank()) {
      throw new IllegalArgumentException(
          "CRI endpoint is empty; expected unix:///path/to/socket, e.g."
              + " unix:///run/containerd/containerd.sock");
    }
    String path;
    if (endpoint.startsWith("unix://")) {
      path = endpoint.substring("unix://".length());
    } else if (endpoint.startsWith("unix:")) {
      path = endpoint.substring("unix:".length());
    } else if (endpoint.startsWith("/")) {
      path = endpoint;
    } else {
      throw new IllegalArgumentException(
          "CRI endpoint '"
              + endpoint
              + "' is not supported; expected unix:///path/to/socket or an absolute socket path");
    }
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException(
          "CRI endpoint '" + endpoint + "' must name an absolute socket path (unix:///path)");
    }
    Path socket = Path.of(path).normalize();
    return new UnixEndpoint(socket, "unix://" + socket);
  }

  /**
   * Checks that the socket file exists and is a socket, so that the common mistakes give a clear
   * message instead of a gRPC error.
   *
   * @throws CriUnavailableException naming the endpoint and what is wrong with it
   */
  public void checkSocketFile() {
    int mode;
    try {
      mode = (Integer) Files.getAttribute(socket, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      if ((mode & S_IFMT) != S_IFSOCK && Files.isSymbolicLink(socket)) {
        mode = (Integer) Files.getAttribute(socket, "unix:mode");
      }
    } catch (NoSuchFileException e) {
      throw unavailable("socket file does not exist", e);
    } catch (AccessDeniedException e) {
      throw unavailable("permission denied reading " + socket, e);
    } catch (IOException | UnsupportedOperationException e) {
      // Cannot inspect the file type here; let the connection attempt report what happens.
      return;
    }
    if ((mode & S_IFMT) != S_IFSOCK) {
      String kind = Files.isDirectory(socket) ? "a directory" : "not a socket";
      throw unavailable(socket + " is " + kind, null);
    }
  }

  CriUnavailableException unavailable(String why, Throwable cause) {
    return CriUnavailableException.ofMessage(
        "no CRI runtime listening at " + display + ": " + why, "connect", display, cause);
  }

  @Override
  public String toString() {
    return display;
  }
}
