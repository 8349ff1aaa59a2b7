package io.berth.netfilter;

/**
 * One error libnftables reported for a transaction.
 *
 * @param line 1-based line of the transaction text, 0 when libnftables gave no location
 * @param text that line
 * @param owner the service port the line belongs to ({@code ns/name:port IPV4}), or {@code ""} for
 *     berth's shared rules
 * @param message libnftables' message, e.g. {@code Could not process rule: File exists}
 */
public record RuleError(int line, String text, String owner, String message) {
  @Override
  public String toString() {
    return (owner.isEmpty() ? "" : "service " + owner + ": ")
        + message
        + (line > 0 ? " at line " + line + ": " + text.strip() : "");
  }
}
