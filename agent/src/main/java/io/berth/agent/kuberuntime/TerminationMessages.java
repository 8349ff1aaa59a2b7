package io.berth.agent.kuberuntime;

import io.berth.cri.ContainerState;
import io.berth.cri.ContainerStatus;
import io.berth.cri.Mount;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An exited container's message (the kubelet's {@code getTerminationMessage} and {@code
 * readLastStringFromContainerLogs}): what the container wrote to its {@code terminationMessagePath}
 * (found through the CRI mount of that path, at most 4 KiB); with {@code FallbackToLogsOnError} and
 * a non-zero exit code and no message, the last 80 lines of its log (at most 2 KiB); otherwise the
 * runtime's message.
 */
public final class TerminationMessages {
  private static final Logger log = LoggerFactory.getLogger(TerminationMessages.class);
  static final int MAX_MESSAGE_BYTES = 4 * 1024;
  static final int MAX_LOG_BYTES = 2 * 1024;
  static final int MAX_LOG_LINES = 80;

  private TerminationMessages() {}

  /** The message the status should show for {@code s}. */
  public static String of(ContainerStatus s) {
    if (s.state() != ContainerState.EXITED) {
      return s.message();
    }
    String path = s.annotations().getOrDefault(RuntimeLabels.TERMINATION_MESSAGE_PATH, "");
    if (!path.isEmpty()) {
      for (Mount m : s.mounts()) {
        if (m.containerPath().equals(path)) {
          String msg = readHead(Path.of(m.hostPath()), MAX_MESSAGE_BYTES);
          if (!msg.isEmpty()) {
            return msg;
          }
        }
      }
    }
    boolean fallback =
        "FallbackToLogsOnError"
            .equals(s.annotations().get(RuntimeLabels.TERMINATION_MESSAGE_POLICY));
    if (fallback && s.exitCode() != 0 && s.logPath() != null && !s.logPath().isEmpty()) {
      String tail = logTail(Path.of(s.logPath()));
      if (!tail.isEmpty()) {
        return tail;
      }
    }
    return s.message();
  }

  private static String readHead(Path file, int max) {
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return "";
    }
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      return new String(in.readNBytes(max), StandardCharsets.UTF_8);
    } catch (IOException e) {
      log.debug("termination message {}: {}", file, e.getMessage());
      return "";
    }
  }

  /** The content of the last lines of a CRI log file, partial lines joined, capped in bytes. */
  static String logTail(Path file) {
    byte[] raw;
    boolean whole;
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long len = f.length();
      // enough for 80 lines of the 2 KiB kept, with their CRI prefixes
      int want = (int) Math.min(len, 64 * 1024);
      raw = new byte[want];
      f.seek(len - want);
      f.readFully(raw);
      whole = want == len;
    } catch (IOException e) {
      log.debug("container log {}: {}", file, e.getMessage());
      return "";
    }
    String[] lines = new String(raw, StandardCharsets.UTF_8).split("\n");
    List<String> content = new ArrayList<>();
    StringBuilder partial = new StringBuilder();
    // a window that starts mid-file starts mid-line: skip that first line
    for (int i = whole ? 0 : 1; i < lines.length; i++) {
      String[] f = lines[i].split(" ", 4);
      if (f.length < 3) {
        continue;
      }
      partial.append(f.length == 4 ? f[3] : "");
      if (!f[2].equals("P")) {
        content.add(partial.toString());
        partial.setLength(0);
      }
    }
    List<String> last =
        content.subList(Math.max(0, content.size() - MAX_LOG_LINES), content.size());
    String joined = last.isEmpty() ? "" : String.join("\n", last) + "\n";
    byte[] bytes = joined.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= MAX_LOG_BYTES) {
      return joined;
    }
    return new String(bytes, bytes.length - MAX_LOG_BYTES, MAX_LOG_BYTES, StandardCharsets.UTF_8);
  }
}
