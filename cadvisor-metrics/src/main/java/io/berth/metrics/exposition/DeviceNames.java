package io.berth.metrics.exposition;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns a block device's major:minor into cAdvisor's {@code device} label ({@code /dev/vda}). */
@FunctionalInterface
public interface DeviceNames {
  /** The device label for {@code major:minor}. */
  String name(int major, int minor);

  /** {@code major:minor} itself. */
  static DeviceNames numeric() {
    return (major, minor) -> major + ":" + minor;
  }

  /**
   * Resolves through {@code <sys>/dev/block/<major>:<minor>/uevent} ({@code DEVNAME=vda}), cached;
   * falls back to {@code major:minor}.
   */
  static DeviceNames sysfs(Path sysRoot) {
    Logger log = LoggerFactory.getLogger(DeviceNames.class);
    Map<String, String> cache = new ConcurrentHashMap<>();
    return (major, minor) ->
        cache.computeIfAbsent(
            major + ":" + minor,
            key -> {
              Path uevent = sysRoot.resolve("dev/block").resolve(key).resolve("uevent");
              try {
                for (String line : Files.readAllLines(uevent, StandardCharsets.ISO_8859_1)) {
                  if (line.startsWith("DEVNAME=")) {
                    return "/dev/" + line.substring("DEVNAME=".length());
                  }
                }
              } catch (NoSuchFileException e) {
                log.debug("no {} for device {}", uevent, key);
              } catch (IOException e) {
                log.debug("cannot read {}: {}", uevent, e.toString());
              }
              return key;
            });
  }
}
