package io.berth.agent.kuberuntime;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code $(VAR)} expansion with the semantics of Kubernetes' forked {@code expansion} package:
 * {@code $$} is an escaped {@code $}, a reference to an undefined variable stays as written ({@code
 * $(UNDEFINED)}), an unterminated {@code $(} and a {@code $} before any other character are copied
 * literally. Used for env values, command and args.
 */
public final class EnvExpansion {
  private EnvExpansion() {}

  private static final char OPERATOR = '$';
  private static final char OPENER = '(';
  private static final char CLOSER = ')';

  /** Expands {@code input} with {@code mapping}, which gets the variable name. */
  public static String expand(String input, Function<String, String> mapping) {
    if (input == null || input.isEmpty()) {
      return input == null ? "" : input;
    }
    StringBuilder out = new StringBuilder(input.length());
    int checkpoint = 0;
    for (int cursor = 0; cursor < input.length(); cursor++) {
      if (input.charAt(cursor) == OPERATOR && cursor + 1 < input.length()) {
        out.append(input, checkpoint, cursor);
        char next = input.charAt(cursor + 1);
        int advance;
        if (next == OPERATOR) {
          out.append(OPERATOR);
          advance = 1;
        } else if (next == OPENER) {
          int close = input.indexOf(CLOSER, cursor + 2);
          if (close >= 0) {
            out.append(mapping.apply(input.substring(cursor + 2, close)));
            advance = close - cursor;
          } else {
            out.append(OPERATOR).append(OPENER);
            advance = 1;
          }
        } else {
          out.append(OPERATOR).append(next);
          advance = 1;
        }
        cursor += advance;
        checkpoint = cursor + 1;
      }
    }
    return out.append(input, checkpoint, input.length()).toString();
  }

  /**
   * A mapping that looks the name up in each context in order and leaves an unknown reference as
   * {@code $(name)}.
   */
  @SafeVarargs
  public static Function<String, String> mappingFor(Map<String, String>... contexts) {
    List<Map<String, String>> list = List.of(contexts);
    return name -> {
      for (Map<String, String> vars : list) {
        String v = vars.get(name);
        if (v != null) {
          return v;
        }
      }
      return "$(" + name + ")";
    };
  }

  /** Expands each element of {@code values}. */
  public static List<String> expandAll(List<String> values, Function<String, String> mapping) {
    return values == null ? List.of() : values.stream().map(v -> expand(v, mapping)).toList();
  }
}
