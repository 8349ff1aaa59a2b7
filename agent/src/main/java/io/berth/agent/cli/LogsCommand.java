package io.berth.agent.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * {@code berth logs POD [-c C] [-n NS] [-f] [--tail N] [--previous] [--timestamps]}: a container's
 * output from its log files under the pod logs directory, the CRI prefix (time, stream, tag)
 * stripped and split chunks joined, as {@code kubectl logs} shows it. Works while berth is down.
 *
 * <p>With {@code -f} it keeps printing what the container writes until interrupted or until a new
 * instance of the container starts (then, like kubectl, it stops).
 */
public final class LogsCommand {
  /** What to show. {@code tail} < 0: every line. */
  public record Request(
      Path podLogsDir,
      String namespace,
      String pod,
      String container,
      boolean follow,
      int tail,
      boolean previous,
      boolean timestamps) {}

  private final PrintStream out;
  private final Duration pollPeriod;

  public LogsCommand(PrintStream out, Duration pollPeriod) {
    this.out = out;
    this.pollPeriod = pollPeriod;
  }

  public int run(Request r) throws InterruptedException {
    PodLogFiles files = PodLogFiles.find(r.podLogsDir(), r.namespace(), r.pod(), r.container());
    Path file = r.previous() ? files.previous() : files.current();
    LogFollower follower = new LogFollower(file);
    CriLogParser parser = new CriLogParser();
    Deque<String> last = new ArrayDeque<>();
    for (String record : follower.poll()) {
      CriLogParser.Line line = parser.accept(record);
      if (line == null) {
        continue;
      }
      last.addLast(render(line, r.timestamps()));
      if (r.tail() >= 0 && last.size() > r.tail()) {
        last.removeFirst();
      }
    }
    last.forEach(out::println);
    out.flush();
    if (!r.follow() || r.previous()) {
      return 0;
    }
    int instance = files.instances().getLast();
    while (!Thread.currentThread().isInterrupted()) {
      print(follower.poll(), parser, r.timestamps());
      if (files.hasNewerThan(instance)) {
        print(follower.poll(), parser, r.timestamps());
        return 0;
      }
      Thread.sleep(pollPeriod.toMillis());
    }
    return 0;
  }

  private void print(List<String> records, CriLogParser parser, boolean timestamps) {
    for (String record : records) {
      CriLogParser.Line line = parser.accept(record);
      if (line != null) {
        out.println(render(line, timestamps));
      }
    }
    out.flush();
  }

  private static String render(CriLogParser.Line line, boolean timestamps) {
    return timestamps && !line.time().isEmpty() ? line.time() + " " + line.text() : line.text();
  }
}
