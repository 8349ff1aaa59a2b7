package io.berth.agent.validation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NameRulesTest {
  @Test
  void dns1123Label() {
    assertThat(NameRules.dns1123Label("my-name")).isEmpty();
    assertThat(NameRules.dns1123Label("a".repeat(64)))
        .containsExactly("must be no more than 63 characters");
    assertThat(NameRules.dns1123Label("-x")).hasSize(1);
  }

  @Test
  void qualifiedNames() {
    assertThat(NameRules.qualifiedName("example.com/MyName")).isEmpty();
    assertThat(NameRules.qualifiedName("/x")).containsExactly("prefix part must be non-empty");
    assertThat(NameRules.qualifiedName("Example.com/x"))
        .hasSize(1)
        .allMatch(m -> m.startsWith("prefix part a lowercase RFC 1123 subdomain"));
  }

  @Test
  void portNames() {
    assertThat(NameRules.portName("http")).isEmpty();
    assertThat(NameRules.portName("a--b")).containsExactly("must not contain consecutive hyphens");
    assertThat(NameRules.portName("-ab")).containsExactly("must not begin or end with a hyphen");
    assertThat(NameRules.portName("HTTP"))
        .containsExactly(
            "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
            "must contain at least one letter (a-z)");
  }

  @Test
  void quoteEscapesLikeGo() {
    assertThat(FieldError.quote("a\"b\\c\n")).isEqualTo("\"a\\\"b\\\\c\\n\"");
  }
}
