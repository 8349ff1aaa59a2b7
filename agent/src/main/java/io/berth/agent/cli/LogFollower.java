package io.berth.agent.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a growing log file record by record: each {@link #poll} returns the complete lines written
 * since the last one and keeps a trailing line that has no newline yet for the next call. Restarts
 * from the beginning when the file shrinks (truncated by a rotation).
 *
 * <p>Not thread-safe; one follower per file.
 */
public final class LogFollower {
  private final Path file;
  private long offset;
  private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();

  public LogFollower(Path file) {
    this.file = file;
  }

  public List<String> poll() {
    List<String> records = new ArrayList<>();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      if (ch.size() < offset) {
        offset = 0;
        pending.reset();
      }
      ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
      ch.position(offset);
      int n;
      while ((n = ch.read(buf)) > 0) {
        offset += n;
        byte[] bytes = buf.array();
        int start = 0;
        for (int i = 0; i < n; i++) {
          if (bytes[i] == '\n') {
            if (pending.size() == 0) {
              records.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
            } else {
              pending.write(bytes, start, i - start);
              records.add(pending.toString(StandardCharsets.UTF_8));
              pending.reset();
            }
            start = i + 1;
          }
        }
        pending.write(bytes, start, n - start); // a line without its newline yet
        buf.clear();
      }
    } catch (IOException e) {
      throw new CliException("cannot read " + file + ": " + e.getMessage());
    }
    return records;
  }
}
