package io.berth.netfilter.ipvs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads kernel UAPI headers as the C compiler would for what berth needs: {@code #define NAME expr}
 * (numbers, names, {@code | & ~ << + -} and parentheses), enum members (counting from the previous
 * member, from 0 at the first), string defines, and the size of simple structs and unions of {@code
 * __u8/__u16/__u32/__be16/__be32/int} members and arrays of them.
 */
final class UapiHeaders {
  private static final Pattern DEFINE =
      Pattern.compile("^\\s*#\\s*define\\s+([A-Za-z_]\\w*+)(?!\\()\\s*(.*)$", Pattern.MULTILINE);
  private static final Pattern ENUM = Pattern.compile("\\benum\\s*\\w*\\s*\\{([^}]*)\\}");
  private static final Pattern TOKEN =
      Pattern.compile("0[xX][0-9a-fA-F]+|\\d+|[A-Za-z_]\\w*|<<|>>|[()|&~+\\-]");

  private final Map<String, String> defines = new HashMap<>();
  private final Map<String, Long> enums = new HashMap<>();
  private final StringBuilder text = new StringBuilder();

  /** Parses header text (for testing the reader itself). */
  static UapiHeaders parse(String source) {
    UapiHeaders h = new UapiHeaders();
    h.add(source);
    return h;
  }

  /** Reads {@code headers}; each must exist (install linux-libc-dev: scripts/lib/prereqs.sh). */
  static UapiHeaders read(List<Path> headers) {
    UapiHeaders h = new UapiHeaders();
    for (Path p : headers) {
      if (!Files.isRegularFile(p)) {
        throw new IllegalStateException(
            p + " is missing: install the Debian package linux-libc-dev (scripts/lib/prereqs.sh)");
      }
      try {
        h.add(Files.readString(p));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return h;
  }

  private void add(String source) {
    String s = source.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\\n]*", "");
    s = s.replace("\\\n", " ");
    text.append(s).append('\n');
    Matcher d = DEFINE.matcher(s);
    while (d.find()) {
      defines.put(d.group(1), d.group(2).trim());
    }
    String code = s.replaceAll("(?m)^\\s*#.*$", "");
    Matcher e = ENUM.matcher(code);
    while (e.find()) {
      Long next = 0L;
      for (String member : e.group(1).split(",")) {
        String m = member.trim();
        if (m.isEmpty()) {
          continue;
        }
        int eq = m.indexOf('=');
        String name = (eq < 0 ? m : m.substring(0, eq)).trim();
        Long value = next;
        if (eq >= 0) {
          try {
            value = eval(m.substring(eq + 1).trim(), 0);
          } catch (RuntimeException unknown) {
            value = null; // an expression this reader does not evaluate (casts, sizeof)
          }
        }
        if (value != null) {
          enums.put(name, value);
        }
        next = value == null ? null : value + 1;
      }
    }
  }

  /** The value of a numeric define or enum member; empty when the headers do not name it. */
  OptionalLong value(String name) {
    if (!enums.containsKey(name) && !defines.containsKey(name)) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(name(name, 0));
  }

  /** A string define such as {@code IPVS_GENL_NAME "IPVS"}, without the quotes. */
  String string(String name) {
    String v = defines.get(name);
    if (v == null || !v.startsWith("\"")) {
      throw new IllegalArgumentException(name + " is not a string define: " + v);
    }
    return v.substring(1, v.lastIndexOf('"'));
  }

  /**
   * {@code sizeof(struct name)} or {@code sizeof(union name)} for members of fixed-size integer
   * types; members of other types are left out of a union and fail a struct.
   */
  int sizeOf(String kind, String name) {
    Matcher m = Pattern.compile("\\b" + kind + "\\s+" + name + "\\s*\\{([^}]*)\\}").matcher(text);
    if (!m.find()) {
      throw new IllegalArgumentException(kind + " " + name + " not found");
    }
    int size = 0;
    int align = 1;
    for (String member : m.group(1).split(";")) {
      String t = member.trim();
      if (t.isEmpty()) {
        continue;
      }
      Matcher f =
          Pattern.compile("^(\\w+)\\s+(\\w+)(?:\\[(\\w+)\\])?$").matcher(t.replaceAll("\\s+", " "));
      int unit = f.matches() ? unitSize(f.group(1)) : -1;
      if (unit < 0) {
        if (kind.equals("union")) {
          continue;
        }
        throw new IllegalArgumentException(kind + " " + name + ": cannot size member '" + t + "'");
      }
      int count = f.group(3) == null ? 1 : (int) eval(f.group(3), 0);
      align = Math.max(align, unit);
      if (kind.equals("union")) {
        size = Math.max(size, unit * count);
      } else {
        size = (size + unit - 1) / unit * unit + unit * count;
      }
    }
    return (size + align - 1) / align * align;
  }

  private static int unitSize(String type) {
    return switch (type) {
      case "__u8", "__s8", "char" -> 1;
      case "__u16", "__s16", "__be16", "__le16" -> 2;
      case "__u32", "__s32", "__be32", "__le32", "int", "unsigned" -> 4;
      case "__u64", "__s64", "__be64" -> 8;
      default -> -1;
    };
  }

  private long name(String name, int depth) {
    if (depth > 20) {
      throw new IllegalArgumentException("define loop at " + name);
    }
    Long e = enums.get(name);
    if (e != null) {
      return e;
    }
    String d = defines.get(name);
    if (d == null) {
      throw new IllegalArgumentException("unknown name " + name);
    }
    return eval(d, depth + 1);
  }

  private long eval(String expr, int depth) {
    List<String> tokens = new ArrayList<>();
    Matcher m = TOKEN.matcher(expr.replaceAll("(?<=[0-9a-fA-F])[uUlL]+\\b", ""));
    while (m.find()) {
      tokens.add(m.group());
    }
    Parser p = new Parser(tokens, depth);
    long v = p.or();
    if (p.at != tokens.size()) {
      throw new IllegalArgumentException("cannot evaluate '" + expr + "'");
    }
    return v;
  }

  private final class Parser {
    private final List<String> tokens;
    private final int depth;
    private int at;

    Parser(List<String> tokens, int depth) {
      this.tokens = tokens;
      this.depth = depth;
    }

    long or() {
      long v = and();
      while (accept("|")) {
        v |= and();
      }
      return v;
    }

    long and() {
      long v = shift();
      while (accept("&")) {
        v &= shift();
      }
      return v;
    }

    long shift() {
      long v = sum();
      while (true) {
        if (accept("<<")) {
          v <<= sum();
        } else if (accept(">>")) {
          v >>= sum();
        } else {
          return v;
        }
      }
    }

    long sum() {
      long v = unary();
      while (true) {
        if (accept("+")) {
          v += unary();
        } else if (accept("-")) {
          v -= unary();
        } else {
          return v;
        }
      }
    }

    long unary() {
      if (accept("~")) {
        return ~unary();
      }
      if (accept("(")) {
        long v = or();
        if (!accept(")")) {
          throw new IllegalArgumentException("missing ) in " + tokens);
        }
        return v;
      }
      String t = tokens.get(at++);
      if (t.startsWith("0x") || t.startsWith("0X")) {
        return Long.parseLong(t.substring(2), 16);
      }
      if (Character.isDigit(t.charAt(0))) {
        return Long.parseLong(t);
      }
      return name(t, depth);
    }

    private boolean accept(String t) {
      if (at < tokens.size() && tokens.get(at).equals(t)) {
        at++;
        return true;
      }
      return false;
    }
  }
}
