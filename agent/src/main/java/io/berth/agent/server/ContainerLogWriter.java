package io.berth.agent.server;

import io.berth.agent.cli.CriLogParser;
import io.berth.agent.cli.LogFollower;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Writes a container's log as the kubelet's {@code /containerLogs} does: the CRI records of the
 * current (or previous) instance's file parsed back into the container's lines (split chunks
 * joined), optionally prefixed with their RFC 3339 time, filtered by {@code since}, the last {@code
 * tailLines}, cut at {@code limitBytes}; with {@code follow}, new lines as they are written until
 * the container stops running or a newer instance starts, or the client goes.
 *
 * <p>Thread safety: one call per request, on a virtual thread; it blocks while following.
 */
public final class ContainerLogWriter {
  /** Where the bytes go; {@code write} returns false once the client is gone. */
  public interface Sink {
    boolean write(byte[] bytes);
  }

  private final Duration followPoll;

  public ContainerLogWriter(Duration followPoll) {
    this.followPoll = followPoll;
  }

  /**
   * @param running whether the container still runs (follow ends when it does not and the file is
   *     read to its end)
   */
  public void write(Path file, ContainerLogOptions options, Sink sink, BooleanSupplier running)
      throws InterruptedException {
    LogFollower follower = new LogFollower(file);
    CriLogParser parser = new CriLogParser();
    Budget budget = new Budget(options.limitBytes().orElse(Long.MAX_VALUE));
    ArrayDeque<byte[]> tail = new ArrayDeque<>();
    int tailLines = options.tailLines().orElse(-1);
    for (String record : follower.poll()) {
      byte[] line = render(parser.accept(record), options);
      if (line == null) {
        continue;
      }
      if (tailLines < 0) {
        if (!budget.send(line, sink)) {
          return;
        }
      } else if (tailLines > 0) {
        tail.addLast(line);
        if (tail.size() > tailLines) {
          tail.removeFirst();
        }
      }
    }
    for (byte[] line : tail) {
      if (!budget.send(line, sink)) {
        return;
      }
    }
    if (!options.follow() || options.previous()) {
      return;
    }
    while (true) {
      boolean stillRunning = running.getAsBoolean();
      List<String> records = follower.poll();
      for (String record : records) {
        byte[] line = render(parser.accept(record), options);
        if (line != null && !budget.send(line, sink)) {
          return;
        }
      }
      if (!stillRunning && records.isEmpty()) {
        return;
      }
      if (!sink.write(new byte[0])) {
        return; // flushed; the client went away
      }
      Thread.sleep(followPoll);
    }
  }

  private static byte[] render(CriLogParser.Line line, ContainerLogOptions options) {
    if (line == null) {
      return null;
    }
    if (options.since().isPresent() && !line.time().isEmpty()) {
      try {
        if (Instant.parse(line.time()).isBefore(options.since().get())) {
          return null;
        }
      } catch (DateTimeParseException e) {
        // not a CRI record: keep it
      }
    }
    String text =
        options.timestamps() && !line.time().isEmpty()
            ? line.time() + " " + line.text() + "\n"
            : line.text() + "\n";
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** What {@code limitBytes} leaves to send. */
  private static final class Budget {
    private long left;

    Budget(long limit) {
      this.left = limit;
    }

    boolean send(byte[] line, Sink sink) {
      if (left <= 0) {
        return false;
      }
      byte[] out = line;
      if (line.length > left) {
        out = java.util.Arrays.copyOf(line, (int) left);
      }
      left -= out.length;
      return sink.write(out) && left > 0;
    }
  }
}
