package io.berth.agent.volume;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/** A {@link Mounter} that records tmpfs mounts instead of making them. */
public final class FakeMounter implements Mounter {
  final Set<Path> mounted = new HashSet<>();
  final List<String> calls = new ArrayList<>();

  @Override
  public void mountTmpfs(Path dir, OptionalLong sizeBytes) {
    calls.add(
        "tmpfs "
            + dir.getFileName()
            + (sizeBytes.isPresent() ? " size=" + sizeBytes.getAsLong() : ""));
    mounted.add(dir);
  }

  @Override
  public void unmount(Path dir) {
    if (mounted.remove(dir)) {
      calls.add("umount " + dir.getFileName());
    }
  }

  @Override
  public boolean isMountPoint(Path dir) {
    return mounted.contains(dir);
  }
}
