package io.berth.tests.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Label selectors ({@code =, ==, !=, in, notin, key, !key}) and field selectors ({@code =, ==, !=}
 * on the fields each resource allows) as the API server parses them.
 */
final class Selectors {
  private Selectors() {}

  /** A label selector; blank matches everything. */
  static Predicate<JsonNode> labels(String selector) {
    if (selector == null || selector.isBlank()) {
      return o -> true;
    }
    List<Predicate<JsonNode>> terms = new ArrayList<>();
    for (String term : splitTerms(selector)) {
      terms.add(labelTerm(term.trim(), selector));
    }
    return o -> terms.stream().allMatch(t -> t.test(o.path("metadata").path("labels")));
  }

  /** A field selector for {@code resource}; unknown fields are a 400 as on the real server. */
  static Predicate<JsonNode> fields(String selector, ApiResource resource) {
    if (selector == null || selector.isBlank()) {
      return o -> true;
    }
    List<Predicate<JsonNode>> terms = new ArrayList<>();
    for (String term : selector.split(",")) {
      String t = term.trim();
      String op;
      int at;
      if ((at = t.indexOf("!=")) >= 0) {
        op = "!=";
      } else if ((at = t.indexOf("==")) >= 0) {
        op = "==";
      } else if ((at = t.indexOf('=')) >= 0) {
        op = "=";
      } else {
        throw ApiError.badRequest("invalid field selector: '" + t + "': no operator");
      }
      String field = t.substring(0, at).trim();
      String value = t.substring(at + op.length()).trim();
      if (!field.equals("metadata.name")
          && !field.equals("metadata.namespace")
          && !resource.selectableFields().contains(field)) {
        throw ApiError.badRequest(
            "field label not supported: " + field + " (for " + resource.resource() + ")");
      }
      boolean negate = op.equals("!=");
      terms.add(o -> fieldValue(o, field).equals(value) != negate);
    }
    return o -> terms.stream().allMatch(t -> t.test(o));
  }

  /** The field's value as the API server's field set renders it: missing is "", bools as text. */
  static String fieldValue(JsonNode object, String field) {
    JsonNode node = object;
    for (String part : field.split("\\.")) {
      node = node.path(part);
    }
    if (node.isMissingNode() || node.isNull()) {
      return field.equals("spec.hostNetwork") || field.equals("spec.unschedulable") ? "false" : "";
    }
    return node.asText();
  }

  private static List<String> splitTerms(String selector) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    StringBuilder cur = new StringBuilder();
    for (char c : selector.toCharArray()) {
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      }
      if (c == ',' && depth == 0) {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    return out;
  }

  private static Predicate<JsonNode> labelTerm(String term, String whole) {
    if (term.isEmpty()) {
      throw ApiError.badRequest("unable to parse requirement: empty term in '" + whole + "'");
    }
    String[] words = term.split("\\s+", 2);
    if (words.length == 2 && (words[1].startsWith("in ") || words[1].startsWith("in("))
        || words.length == 2 && words[1].startsWith("notin")) {
      boolean in = words[1].startsWith("in");
      String list = words[1].substring(in ? 2 : 5).trim();
      if (!list.startsWith("(") || !list.endsWith(")")) {
        throw ApiError.badRequest("unable to parse requirement: '" + term + "': expected (values)");
      }
      Set<String> values = Set.of(list.substring(1, list.length() - 1).trim().split("\\s*,\\s*"));
      String key = words[0];
      return labels ->
          in
              ? labels.has(key) && values.contains(labels.get(key).asText())
              : !labels.has(key) || !values.contains(labels.get(key).asText());
    }
    int at;
    if ((at = term.indexOf("!=")) >= 0) {
      String key = term.substring(0, at).trim();
      String value = term.substring(at + 2).trim();
      return labels -> !labels.has(key) || !labels.get(key).asText().equals(value);
    }
    if ((at = term.indexOf("==")) >= 0 || (at = term.indexOf('=')) >= 0) {
      int len = term.startsWith("==", at) ? 2 : 1;
      String key = term.substring(0, at).trim();
      String value = term.substring(at + len).trim();
      return labels -> labels.has(key) && labels.get(key).asText().equals(value);
    }
    if (term.startsWith("!")) {
      String key = term.substring(1).trim();
      return labels -> !labels.has(key);
    }
    if (term.contains(" ") || term.contains("(")) {
      throw ApiError.badRequest("unable to parse requirement: '" + term + "'");
    }
    return labels -> labels.has(term);
  }
}
