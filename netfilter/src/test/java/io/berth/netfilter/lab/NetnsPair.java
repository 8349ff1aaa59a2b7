package io.berth.netfilter.lab;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Two fresh network namespaces for an oracle test: one that berth writes ({@link #berth}), one that
 * the reference tool writes ({@link #tool}), named {@code <prefix>-<random>-f|-t}; deleted by
 * {@link #close}.
 */
public final class NetnsPair implements AutoCloseable {
  public final String berth;
  public final String tool;

  public NetnsPair(String prefix) {
    String id = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
    berth = prefix + "-" + id + "-f";
    tool = prefix + "-" + id + "-t";
    Sh.check("ip", "netns", "add", berth);
    try {
      Sh.check("ip", "netns", "add", tool);
    } catch (RuntimeException e) {
      Sh.run(List.of("ip", "netns", "del", berth), 30);
      throw e;
    }
  }

  /** The path of berth's namespace, for the back ends. */
  public Path berthPath() {
    return Path.of("/run/netns", berth);
  }

  @Override
  public void close() {
    Sh.run(List.of("ip", "netns", "del", berth), 30);
    Sh.run(List.of("ip", "netns", "del", tool), 30);
  }
}
