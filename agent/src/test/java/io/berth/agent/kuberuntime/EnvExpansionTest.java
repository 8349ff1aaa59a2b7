package io.berth.agent.kuberuntime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The scenarios of Kubernetes' third_party/forked/golang/expansion/expand_test.go. */
class EnvExpansionTest {
  static Stream<Arguments> cases() {
    String[][] t = {
      {"whole string", "$(VAR_A)", "A"},
      {"repeat", "$(VAR_A)-$(VAR_A)", "A-A"},
      {"beginning", "$(VAR_A)-1", "A-1"},
      {"middle", "___$(VAR_B)___", "___B___"},
      {"end", "___$(VAR_C)", "___C"},
      {"compound", "$(VAR_A)_$(VAR_B)_$(VAR_C)", "A_B_C"},
      {"escape & expand", "$$(VAR_B)_$(VAR_A)", "$(VAR_B)_A"},
      {"compound escape", "$$(VAR_A)_$$(VAR_B)", "$(VAR_A)_$(VAR_B)"},
      {"mixed in escapes", "f000-$$VAR_A", "f000-$VAR_A"},
      {"backslash escape ignored", "foo\\$(VAR_C)bar", "foo\\Cbar"},
      {"backslash escape ignored 2", "foo\\\\$(VAR_C)bar", "foo\\\\Cbar"},
      {"lots of backslashes", "foo\\\\\\\\$(VAR_A)bar", "foo\\\\\\\\Abar"},
      {"nested var references", "$(VAR_A$(VAR_B))", "$(VAR_A$(VAR_B))"},
      {"nested var references second type", "$(VAR_A$(VAR_B)", "$(VAR_A$(VAR_B)"},
      {"value is a reference", "$(VAR_REF)", "$(VAR_A)"},
      {"value is a reference x 2", "%%$(VAR_REF)--$(VAR_REF)%%", "%%$(VAR_A)--$(VAR_A)%%"},
      {"empty var", "foo$(VAR_EMPTY)bar", "foobar"},
      {"unterminated expression", "foo$(VAR_Awhoops!", "foo$(VAR_Awhoops!"},
      {"expression without operator", "f00__(VAR_A)__", "f00__(VAR_A)__"},
      {"shell special vars pass through", "$?_boo_$!", "$?_boo_$!"},
      {"bare operators are ignored", "$VAR_A", "$VAR_A"},
      {"undefined vars are passed through", "$(VAR_DNE)", "$(VAR_DNE)"},
      {"multiple (even) operators, var undefined", "$$$$$$(BIG_MONEY)", "$$$(BIG_MONEY)"},
      {"multiple (even) operators, var defined", "$$$$$$(VAR_A)", "$$$(VAR_A)"},
      {"multiple (odd) operators, var undefined", "$$$$$$$(GOOD_ODDS)", "$$$$(GOOD_ODDS)"},
      {"multiple (odd) operators, var defined", "$$$$$$$(VAR_A)", "$$$A"},
      {"missing open expression", "$VAR_A)", "$VAR_A)"},
      {"shell syntax ignored", "${VAR_A}", "${VAR_A}"},
      {"trailing incomplete expression not consumed", "$(VAR_B)_______$(A", "B_______$(A"},
      {"trailing incomplete expression, no content", "$(VAR_C)_______$(", "C_______$("},
      {"operator at end of input string is preserved", "$(VAR_A)foobarzab$", "Afoobarzab$"},
      {"shell escaped incomplete expr", "foo-\\$(VAR_A", "foo-\\$(VAR_A"},
      {"lots of $( in middle", "--$($($($($--", "--$($($($($--"},
      {"lots of $( in beginning", "$($($($($--foo$(", "$($($($($--foo$("},
      {"lots of $( at end", "foo0--$($($($(", "foo0--$($($($("},
      {"escaped operators in variable names are not escaped", "$(foo$$var)", "$(foo$$var)"},
      {"newline not expanded", "\n", "\n"},
      {"empty name stays", "$()", "$()"},
      {"empty input", "", ""},
    };
    Map<String, String> one =
        Map.of("VAR_A", "A", "VAR_B", "B", "VAR_C", "C", "VAR_REF", "$(VAR_A)", "VAR_EMPTY", "");
    Function<String, String> single = EnvExpansion.mappingFor(one);
    Function<String, String> dual =
        EnvExpansion.mappingFor(
            Map.of("VAR_A", "A", "VAR_EMPTY", ""),
            Map.of("VAR_B", "B", "VAR_C", "C", "VAR_REF", "$(VAR_A)"));
    return Stream.of(t)
        .flatMap(
            c ->
                Stream.of(
                    Arguments.of(c[0] + " (one context)", c[1], c[2], single),
                    Arguments.of(c[0] + " (two contexts)", c[1], c[2], dual)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void expandsLikeKubernetes(
      String name, String input, String expected, Function<String, String> mapping) {
    assertThat(EnvExpansion.expand(input, mapping)).isEqualTo(expected);
  }

  /** TestMapReference: each variable sees the ones declared before it. */
  @Test
  void laterVariablesReferToEarlierOnes() {
    Map<String, String> declared = new LinkedHashMap<>();
    var mapping = EnvExpansion.mappingFor(declared, Map.of());
    for (String[] e :
        List.of(
            new String[] {"FOO", "bar"},
            new String[] {"ZOO", "$(FOO)-1"},
            new String[] {"BLU", "$(ZOO)-2"})) {
      declared.put(e[0], EnvExpansion.expand(e[1], mapping));
    }
    assertThat(declared)
        .containsExactly(
            Map.entry("FOO", "bar"), Map.entry("ZOO", "bar-1"), Map.entry("BLU", "bar-1-2"));
  }
}
