package io.berth.agent.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The CRI container log format as containerd writes it: one record per line, {@code <RFC 3339 time>
 * <stdout|stderr> <tag> <content>}, where the tag's first field is {@code P} for a partial chunk
 * (the runtime splits lines over 16 KiB) or {@code F} for the chunk that ends a line. Feeding
 * records in file order gives back the container's own lines, chunks joined.
 *
 * <p>Not thread-safe: one parser per followed file, holding the partial chunks of its one line in
 * progress per stream.
 */
public final class CriLogParser {
  private final StringBuilder partialStdout = new StringBuilder();
  private final StringBuilder partialStderr = new StringBuilder();

  /** One line of a container's output. */
  public record Line(String time, String stream, String text) {}

  /**
   * Takes one record; returns the container line it completes, or null when it is a partial chunk.
   * A record not in the CRI format is returned as it is, with an empty time and stream.
   */
  public Line accept(String record) {
    int s1 = record.indexOf(' ');
    int s2 = s1 < 0 ? -1 : record.indexOf(' ', s1 + 1);
    int s3 = s2 < 0 ? -1 : record.indexOf(' ', s2 + 1);
    if (s2 < 0) {
      return new Line("", "", record);
    }
    String stream = record.substring(s1 + 1, s2);
    String tag = s3 < 0 ? record.substring(s2 + 1) : record.substring(s2 + 1, s3);
    String content = s3 < 0 ? "" : record.substring(s3 + 1);
    StringBuilder partial;
    if (stream.equals("stdout")) {
      partial = partialStdout;
    } else if (stream.equals("stderr")) {
      partial = partialStderr;
    } else {
      return new Line("", "", record);
    }
    String first = tag.split(":", 2)[0];
    if (first.equals("P")) {
      partial.append(content);
      return null;
    }
    if (!first.equals("F")) {
      return new Line("", "", record);
    }
    String text = partial.isEmpty() ? content : partial.append(content).toString();
    partial.setLength(0);
    return new Line(record.substring(0, s1), stream, text);
  }

  /** Every complete container line of {@code records}, in order. */
  public static List<Line> parseAll(List<String> records) {
    CriLogParser parser = new CriLogParser();
    List<Line> lines = new ArrayList<>();
    for (String r : records) {
      Line l = parser.accept(r);
      if (l != null) {
        lines.add(l);
      }
    }
    return lines;
  }
}
