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

  private static String summary(List<RuleError> errors, String raw) {
    if (errors.isEmpty()) {
      return raw.strip();
    }
    return String.join("; ", errors.stream().map(RuleError::toString).toList());
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
