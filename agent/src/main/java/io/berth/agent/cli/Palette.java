package io.berth.agent.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * ANSI colours for the operator's tables, on only when standard output is a terminal, {@code
 * NO_COLOR} is unset or empty (no-color.org) and {@code TERM} is not {@code dumb}.
 *
 * @param enabled whether to emit escape sequences at all
 */
public record Palette(boolean enabled) {
  public static final Palette NONE = new Palette(false);

  private static final Set<String> GOOD = Set.of("Running", "Completed", "Succeeded", "True");
  private static final Set<String> WAITING =
      Set.of("Pending", "ContainerCreating", "PodInitializing", "Terminating", "Waiting");

  /** The palette for this process's standard output. */
  public static Palette forStdout(Map<String, String> env) {
    return new Palette(wanted(env, stdoutIsTerminal()));
  }

  static boolean wanted(Map<String, String> env, boolean terminal) {
    String noColor = env.get("NO_COLOR");
    return terminal && (noColor == null || noColor.isEmpty()) && !"dumb".equals(env.get("TERM"));
  }

  /** Linux: fd 1 points at a terminal device. */
  private static boolean stdoutIsTerminal() {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/1")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /**
   * A status word coloured by what it means: green for Running/Completed/True, yellow for the
   * in-between states, red for everything else (CrashLoopBackOff, Error, ImagePullBackOff, False).
   * {@code text} may carry padding around the word; only the word changes.
   */
  public String status(String text) {
    String word = text.strip();
    if (!enabled || word.isEmpty() || word.startsWith("<")) {
      return text;
    }
    String colour = GOOD.contains(word) ? "32" : WAITING.contains(word) ? "33" : "31";
    return text.replace(word, "\u001b[" + colour + "m" + word + "\u001b[0m");
  }

  /** A heading (table header, section name) in bold. */
  public String heading(String text) {
    return enabled ? "\u001b[1m" + text + "\u001b[0m" : text;
  }
}
