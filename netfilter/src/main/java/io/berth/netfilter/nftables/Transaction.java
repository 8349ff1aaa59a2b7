package io.berth.netfilter.nftables;

import java.util.ArrayList;
import java.util.List;

/**
 * The text of one atomic nftables transaction plus, per line, the service port the line came from,
 * so that an error libnftables reports for line N can name the offending service.
 */
public record Transaction(String text, List<String> lineOwners) {
  public Transaction {
    lineOwners = List.copyOf(lineOwners);
  }

  /** The owner of 1-based {@code line}, or {@code ""} for shared lines or out-of-range. */
  public String ownerOfLine(int line) {
    return line >= 1 && line <= lineOwners.size() ? lineOwners.get(line - 1) : "";
  }

  /** The text of 1-based {@code line}, or {@code ""}. */
  public String line(int line) {
    String[] lines = text.split("\n", -1);
    return line >= 1 && line <= lines.length ? lines[line - 1] : "";
  }

  public int lineCount() {
    return lineOwners.size();
  }

  public boolean isEmpty() {
    return text.isEmpty();
  }

  /** Accumulates lines and their owners. */
  public static final class Builder {
    private final StringBuilder text = new StringBuilder(1 << 16);
    private final List<String> owners = new ArrayList<>();

    public Builder line(String line, String owner) {
      text.append(line).append('\n');
      owners.add(owner);
      return this;
    }

    public Builder line(String line) {
      return line(line, "");
    }

    public Transaction build() {
      return new Transaction(text.toString(), owners);
    }
  }
}
