package io.berth.netfilter;

import java.util.List;

/**
 * libnftables rejected a transaction. Nothing was applied. {@link #errors()} locates each problem
 * in the transaction text and names the service port it came from.
 */
public final class TransactionFailedException extends NetfilterException {
  private final transient List<RuleError> errors;
  private final String rawError;

  public TransactionFailedException(String operation, List<RuleError> errors, String rawError) {
    super(operation + " failed, nothing changed: " + summary(errors, rawError));
    this.errors = List.copyOf(errors);
    this.rawError = rawError;
  }

  /** At most this many rule errors are spelled out in the message; {@link #errors()} has all. */
  static final int ERRORS_IN_MESSAGE = 5;

  private static String summary(List<RuleError> errors, String raw) {
    if (errors.isEmpty()) {
      return raw.strip();
    }
    // one cause (e.g. EPERM on a table someone else owns) fails every line of a full sync: a
    // message listing hundreds of lines helps nobody, so name the first few and count the rest
    String shown =
        String.join(
            "; ", errors.stream().limit(ERRORS_IN_MESSAGE).map(RuleError::toString).toList());
    int more = errors.size() - ERRORS_IN_MESSAGE;
    return more > 0 ? shown + "; and " + more + " more errors" : shown;
  }

  public List<RuleError> errors() {
    return errors;
  }

  /** libnftables' error buffer as it was. */
  public String rawError() {
    return rawError;
  }

  /** The service ports named by the errors (empty for shared rules). */
  public List<String> offendingServices() {
    return errors.stream().map(RuleError::owner).filter(o -> !o.isEmpty()).distinct().toList();
  }
}
