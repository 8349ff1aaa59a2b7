package io.berth.metrics.procfs;

import io.berth.metrics.stats.InterfaceStats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the interface counters of a network namespace from {@code <proc>/<pid>/net/dev} of a
 * process inside it (the pod sandbox's pid, supplied by the agent from the CRI). The loopback
 * interface is left out, as cAdvisor does.
 */
public final class NetDevReader {
  private static final Logger LOG = LoggerFactory.getLogger(NetDevReader.class);

  private final Path procRoot;

  /**
   * @param procRoot normally {@code /proc}; a fixture directory in tests
   */
  public NetDevReader(Path procRoot) {
    this.procRoot = procRoot;
  }

  /** Interfaces of the namespace of {@code pid}, sorted by name; empty if the process is gone. */
  public List<InterfaceStats> read(long pid) {
    Path file = procRoot.resolve(Long.toString(pid)).resolve("net").resolve("dev");
    Optional<String> text;
    try {
      text = Optional.of(Files.readString(file, StandardCharsets.ISO_8859_1));
    } catch (NoSuchFileException e) {
      LOG.debug("no {} (process {} gone?)", file, pid);
      return List.of();
    } catch (IOException e) {
      LOG.debug("cannot read {}: {}", file, e.toString());
      return List.of();
    }
    return parse(text.get(), file.toString());
  }

  /**
   * Parses {@code net/dev} text: two header lines, then {@code name: rx_bytes rx_packets rx_errs
   * rx_drop rx_fifo rx_frame rx_compressed rx_multicast tx_bytes tx_packets tx_errs tx_drop ...}.
   */
  public static List<InterfaceStats> parse(String text, String source) {
    List<InterfaceStats> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = line.substring(0, colon).trim();
      if (name.equals("lo")) {
        continue;
      }
      String[] f = line.substring(colon + 1).trim().split("\\s+");
      if (f.length < 16) {
        LOG.warn("short net/dev line for {} in {}", name, source);
        continue;
      }
      try {
        out.add(
            new InterfaceStats(
                name,
                Long.parseLong(f[0]),
                Long.parseLong(f[1]),
                Long.parseLong(f[2]),
                Long.parseLong(f[3]),
                Long.parseLong(f[8]),
                Long.parseLong(f[9]),
                Long.parseLong(f[10]),
                Long.parseLong(f[11])));
      } catch (NumberFormatException e) {
        LOG.warn("unparsable net/dev line for {} in {}", name, source);
      }
    }
    out.sort(Comparator.comparing(InterfaceStats::name));
    return out;
  }
}
