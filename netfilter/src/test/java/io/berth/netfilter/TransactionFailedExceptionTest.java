package io.berth.netfilter;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransactionFailedExceptionTest {
  @Test
  void theMessageNamesTheFirstErrorsAndCountsTheRestWhileErrorsKeepsAll() {
    List<RuleError> errors = new ArrayList<>();
    for (int line = 1; line <= 170; line++) {
      errors.add(
          new RuleError(
              line,
              "add chain ip berth c" + line,
              line == 3 ? "default/web:http IPV4" : "",
              "Could not process rule: Operation not permitted"));
    }
    TransactionFailedException e = new TransactionFailedException("full sync", errors, "raw");
    assertThat(e.getMessage())
        .startsWith("full sync failed, nothing changed: ")
        .contains("at line 5:")
        .doesNotContain("at line 6:")
        .endsWith("; and 165 more errors");
    assertThat(e.errors()).hasSize(170);
    assertThat(e.offendingServices()).containsExactly("default/web:http IPV4");
  }
}
