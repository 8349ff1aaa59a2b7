package io.berth.netfilter.iptables;

import io.berth.netfilter.model.Addresses;
import io.berth.netfilter.model.IpFamily;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Encodes one rule of {@link IptablesRenderer}'s output ({@code -A CHAIN [! -s|-d cidr] [-p proto]
 * [-m module opts…] -j TARGET [opts…]}) into the {@code struct ipt_entry} / {@code struct
 * ip6t_entry} blob that libiptc appends, exactly as {@code iptables-restore}'s extensions would
 * build it. Only the matches and targets the renderer writes are known; anything else is an {@link
 * IllegalArgumentException} naming the rule.
 *
 * <pre>
 *  ipt_entry (112 B; ip6t_entry 168 B): ipt_ip | nfcache u32 | target_offset u16 | next_offset u16
 *                                        | comefrom u32 | counters (2 × u64)
 *  then per match: xt_entry_match (32 B: u16 size, char name[29], u8 revision) + data
 *  then the target: xt_entry_target (32 B, same shape) + data;  every part XT_ALIGN(8)-padded
 * </pre>
 *
 * Layouts and constants are the kernel UAPI's ({@code linux/netfilter_ipv4/ip_tables.h}, {@code
 * netfilter_ipv6/ip6_tables.h}, {@code netfilter/x_tables.h}, {@code xt_tcpudp.h}, {@code
 * xt_sctp.h}, {@code xt_comment.h}, {@code xt_statistic.h}, {@code xt_mark.h}, {@code
 * xt_addrtype.h}, {@code xt_conntrack.h}, {@code xt_recent.h}, {@code nf_nat.h}, {@code
 * ipt_REJECT.h}, {@code ip6t_REJECT.h}); fields are host order unless the header says {@code __be}.
 * {@code IptcOracleIT} pins the result against {@code iptables-legacy-restore}.
 */
final class EntryEncoder {
  /** One rule: the chain it goes to and its entry blob. */
  record Encoded(String chain, byte[] entry) {}

  /**
   * One match or target as parsed: its name, revision, kernel struct ({@code XT_ALIGN}-padded, no
   * {@code xt_entry_match} header; what iptables-nft sends as {@code NFTA_MATCH_INFO}) and options.
   */
  record Extension(String name, int revision, byte[] info, Options options) {}

  /**
   * A parsed rule, for encoders other than the x_tables entry ({@link NftCompatEncoder}).
   *
   * @param src source address (masked), all zero when absent; {@code srcMask} its mask
   * @param invflags {@code IPT_INV_SRCIP} 0x08, {@code IPT_INV_DSTIP} 0x10, {@code XT_INV_PROTO}
   *     0x40
   * @param target the target; a standard one (chain, ACCEPT, DROP, RETURN) has {@code info} of 4
   *     zero bytes and no options
   */
  record Parsed(
      IpFamily family,
      String chain,
      byte[] src,
      byte[] srcMask,
      byte[] dst,
      byte[] dstMask,
      int proto,
      int invflags,
      List<Extension> matches,
      Extension target) {}

  /** Parses a rendered rule line without building the x_tables entry. */
  static Parsed parse(String line, IpFamily family) {
    try {
      Rule r = new Rule(family);
      r.parse(tokens(line));
      return r.parsed();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "cannot encode " + family + " rule `" + line + "`: " + e.getMessage(), e);
    }
  }

  static final int IPV4_ENTRY = 112;
  static final int IPV6_ENTRY = 168;
  private static final int HEADER = 32; // xt_entry_match / xt_entry_target
  private static final int NAME_LEN = 29; // XT_EXTENSION_MAXNAMELEN
  private static final Set<String> RULE_OPTIONS = Set.of("-m", "-j", "-s", "-d", "-p");

  private EntryEncoder() {}

  /** Encodes a rendered rule line ({@code -A …}, optionally prefixed with {@code -t TABLE}). */
  static Encoded encode(String line, IpFamily family) {
    try {
      return new Rule(family).parse(tokens(line));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "cannot encode " + family + " rule `" + line + "`: " + e.getMessage(), e);
    }
  }

  /** Splits on blanks; double quotes group (the renderer never nests or escapes them). */
  static List<String> tokens(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = null;
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '"') {
        quoted = !quoted;
        if (cur == null) {
          cur = new StringBuilder();
        }
      } else if (c == ' ' && !quoted) {
        if (cur != null) {
          out.add(cur.toString());
          cur = null;
        }
      } else {
        if (cur == null) {
          cur = new StringBuilder();
        }
        cur.append(c);
      }
    }
    if (quoted) {
      throw new IllegalArgumentException("unbalanced quote");
    }
    if (cur != null) {
      out.add(cur.toString());
    }
    return out;
  }

  /** The parse state of one rule. */
  private static final class Rule {
    private final IpFamily family;
    private final int addrLen;
    private String chain;
    private byte[] src;
    private byte[] srcMask;
    private byte[] dst;
    private byte[] dstMask;
    private int proto;
    private int invflags;
    private final List<byte[]> matches = new ArrayList<>();
    private byte[] target;
    private final List<Extension> parsedMatches = new ArrayList<>();
    private Extension parsedTarget;

    Rule(IpFamily family) {
      this.family = family;
      this.addrLen = family == IpFamily.IPV4 ? 4 : 16;
      this.src = new byte[addrLen];
      this.srcMask = new byte[addrLen];
      this.dst = new byte[addrLen];
      this.dstMask = new byte[addrLen];
    }

    Encoded parse(List<String> t) {
      int i = 0;
      if (t.size() >= 2 && t.get(0).equals("-t")) {
        i = 2;
      }
      while (i < t.size()) {
        String tok = t.get(i);
        boolean not = false;
        if (tok.equals("!")) {
          not = true;
          tok = t.get(++i);
        }
        switch (tok) {
          case "-A" -> chain = t.get(++i);
          case "-s", "-d" -> {
            byte[][] cidr = cidr(t.get(++i));
            if (tok.equals("-s")) {
              src = cidr[0];
              srcMask = cidr[1];
            } else {
              dst = cidr[0];
              dstMask = cidr[1];
            }
            if (not) {
              invflags |= tok.equals("-s") ? 0x08 : 0x10; // IPT_INV_SRCIP / IPT_INV_DSTIP
            }
          }
          case "-p" -> {
            proto = protocolNumber(t.get(++i));
            if (not) {
              invflags |= 0x40; // XT_INV_PROTO
            }
          }
          case "-m" -> {
            String name = t.get(++i);
            int end = moduleEnd(t, i + 1);
            byte[] m = match(name, t.subList(i + 1, end));
            matches.add(m);
            parsedMatches.add(parts(m, new Options(name, t.subList(i + 1, end))));
            i = end - 1;
          }
          case "-j" -> {
            String name = t.get(++i);
            target = target(name, t.subList(i + 1, t.size()));
            parsedTarget = parts(target, new Options(name, t.subList(i + 1, t.size())));
            i = t.size();
          }
          default -> throw new IllegalArgumentException("unexpected `" + tok + "`");
        }
        i++;
      }
      if (chain == null) {
        throw new IllegalArgumentException("no -A CHAIN");
      }
      if (target == null) {
        throw new IllegalArgumentException("no -j TARGET");
      }
      return new Encoded(chain, entry());
    }

    Parsed parsed() {
      return new Parsed(
          family,
          chain,
          src,
          srcMask,
          dst,
          dstMask,
          proto,
          invflags,
          List.copyOf(parsedMatches),
          parsedTarget);
    }

    private static Extension parts(byte[] ext, Options options) {
      int end = 2;
      while (end < 2 + NAME_LEN && ext[end] != 0) {
        end++;
      }
      String name = new String(ext, 2, end - 2, StandardCharsets.US_ASCII);
      byte[] info = java.util.Arrays.copyOfRange(ext, HEADER, ext.length);
      return new Extension(name, ext[31], info, options);
    }

    private byte[] entry() {
      int header = family == IpFamily.IPV4 ? IPV4_ENTRY : IPV6_ENTRY;
      int matchBytes = matches.stream().mapToInt(m -> m.length).sum();
      ByteBuffer b = buffer(header + matchBytes + target.length);
      if (family == IpFamily.IPV4) {
        b.put(0, src).put(4, dst).put(8, srcMask).put(12, dstMask);
        b.putShort(80, (short) proto);
        b.put(82, (byte) 0); // flags
        b.put(83, (byte) invflags);
        b.putShort(88, (short) (header + matchBytes)); // target_offset
        b.putShort(90, (short) (header + matchBytes + target.length)); // next_offset
      } else {
        b.put(0, src).put(16, dst).put(32, srcMask).put(48, dstMask);
        b.putShort(128, (short) proto);
        b.put(131, (byte) (proto != 0 ? 0x01 : 0)); // IP6T_F_PROTO: ip6tables sets it with -p
        b.put(132, (byte) invflags);
        b.putShort(140, (short) (header + matchBytes));
        b.putShort(142, (short) (header + matchBytes + target.length));
      }
      int off = header;
      for (byte[] m : matches) {
        b.put(off, m);
        off += m.length;
      }
      b.put(off, target);
      return b.array();
    }

    private byte[] match(String name, List<String> opts) {
      Options o = new Options(name, opts);
      return switch (name) {
        case "tcp", "udp" -> {
          ByteBuffer d = buffer(name.equals("tcp") ? 12 : 10);
          int port = o.has("--dport") ? port(o.value("--dport")) : -1;
          d.putShort(0, (short) 0).putShort(2, (short) 0xffff); // spts
          d.putShort(4, (short) (port < 0 ? 0 : port))
              .putShort(6, (short) (port < 0 ? 0xffff : port));
          yield extension(name, 0, d.array());
        }
        case "sctp" -> {
          ByteBuffer d = buffer(292);
          int port = o.has("--dport") ? port(o.value("--dport")) : -1;
          d.putShort(0, (short) (port < 0 ? 0 : port))
              .putShort(2, (short) (port < 0 ? 0xffff : port));
          d.putShort(4, (short) 0).putShort(6, (short) 0xffff);
          d.putInt(284, port < 0 ? 0 : 0x02); // flags: XT_SCTP_DEST_PORTS
          yield extension(name, 0, d.array());
        }
        case "comment" -> {
          byte[] text = o.value("--comment").getBytes(StandardCharsets.UTF_8);
          if (text.length > 255) {
            throw new IllegalArgumentException("comment longer than 255 bytes");
          }
          ByteBuffer d = buffer(256).put(0, text);
          yield extension(name, 0, d.array());
        }
        case "statistic" -> {
          if (!o.value("--mode").equals("random")) {
            throw new IllegalArgumentException("statistic mode " + o.value("--mode"));
          }
          double p = Double.parseDouble(o.value("--probability"));
          ByteBuffer d = buffer(24);
          d.putShort(0, (short) 0); // XT_STATISTIC_MODE_RANDOM
          d.putInt(4, (int) Math.round(0x80000000L * p)); // iptables: lround(0x80000000 * p)
          yield extension(name, 0, d.array());
        }
        case "mark" -> {
          long[] vm = valueMask(o.value("--mark"));
          ByteBuffer d = buffer(12);
          d.putInt(0, (int) vm[0])
              .putInt(4, (int) vm[1])
              .put(8, (byte) (o.negated("--mark") ? 1 : 0));
          yield extension(name, 1, d.array());
        }
        case "addrtype" -> {
          if (!o.value("--dst-type").equals("LOCAL")) {
            throw new IllegalArgumentException("addrtype " + o.value("--dst-type"));
          }
          ByteBuffer d = buffer(8);
          d.putShort(2, (short) (1 << 2)); // dest = XT_ADDRTYPE_LOCAL
          yield extension(name, 1, d.array());
        }
        case "conntrack" -> extension(name, 3, conntrack(o));
        case "recent" -> extension(name, 1, recent(o));
        default -> throw new IllegalArgumentException("unknown match -m " + name);
      };
    }

    /** struct xt_conntrack_mtinfo3 (164 bytes). */
    private byte[] conntrack(Options o) {
      ByteBuffer d = buffer(164);
      int flags = 0;
      if (o.has("--ctstate")) {
        if (!o.value("--ctstate").equals("NEW")) {
          throw new IllegalArgumentException("ctstate " + o.value("--ctstate"));
        }
        flags |= 1; // XT_CONNTRACK_STATE
        d.putShort(150, (short) (1 << 3)); // state_mask: XT_CONNTRACK_STATE_BIT(IP_CT_NEW)
      }
      if (o.has("--ctorigdst")) {
        byte[][] c = cidr(o.value("--ctorigdst"));
        d.put(32, c[0]).put(48, c[1]); // origdst_addr, origdst_mask
        flags |= 1 << 3; // XT_CONNTRACK_ORIGDST
      }
      if (o.has("--ctorigdstport")) {
        int port = port(o.value("--ctorigdstport"));
        d.putShort(140, (short) port)
            .putShort(156, (short) port); // origdst_port[_high], host order
        flags |= 1 << 9; // XT_CONNTRACK_ORIGDST_PORT
      }
      d.putShort(146, (short) flags); // match_flags
      return d.array();
    }

    /** struct xt_recent_mtinfo_v1 (228 bytes). */
    private byte[] recent(Options o) {
      ByteBuffer d = buffer(228);
      int checkSet = 0;
      if (o.has("--set")) {
        checkSet |= 1 << 1; // XT_RECENT_SET
      }
      if (o.has("--rcheck")) {
        checkSet |= 1; // XT_RECENT_CHECK
      }
      if (o.has("--reap")) {
        checkSet |= 1 << 5; // XT_RECENT_REAP
      }
      if (o.has("--seconds")) {
        d.putInt(0, Integer.parseInt(o.value("--seconds")));
      }
      d.put(8, (byte) checkSet);
      byte[] name = o.value("--name").getBytes(StandardCharsets.US_ASCII);
      if (name.length > 199) {
        throw new IllegalArgumentException("recent name longer than 199 bytes");
      }
      d.put(10, name);
      if (!o.has("--rsource")) {
        throw new IllegalArgumentException("recent without --rsource");
      }
      d.put(210, (byte) 0); // side = XT_RECENT_SOURCE
      d.put(212, address(o.value("--mask")));
      return d.array();
    }

    private byte[] target(String name, List<String> opts) {
      Options o = new Options(name, opts);
      return switch (name) {
        case "MARK" -> {
          long mark;
          long mask;
          if (o.has("--or-mark")) {
            mark = mask = Long.decode(o.value("--or-mark")); // (m & ~b) ^ b == m | b
          } else if (o.has("--xor-mark")) {
            mark = Long.decode(o.value("--xor-mark"));
            mask = 0;
          } else {
            long[] vm = valueMask(o.value("--set-xmark"));
            mark = vm[0];
            mask = vm[1];
          }
          ByteBuffer d = buffer(8);
          d.putInt(0, (int) mark).putInt(4, (int) mask);
          yield extension(name, 2, d.array());
        }
        case "MASQUERADE" -> {
          int flags = o.has("--random-fully") ? 16 : 0; // NF_NAT_RANGE_PROTO_RANDOM_FULLY
          if (family == IpFamily.IPV4) {
            ByteBuffer d = buffer(20); // nf_nat_ipv4_multi_range_compat
            d.putInt(0, 1).putInt(4, flags);
            yield extension(name, 0, d.array());
          }
          ByteBuffer d = buffer(40); // nf_nat_range
          d.putInt(0, flags);
          yield extension(name, 0, d.array());
        }
        case "DNAT" -> extension(name, 2, dnat(o.value("--to-destination")));
        case "REJECT" -> {
          String with = o.value("--reject-with");
          int code =
              switch (with) {
                case "icmp-port-unreachable" -> 3; // IPT_ICMP_PORT_UNREACHABLE
                case "icmp6-port-unreachable" -> 4; // IP6T_ICMP6_PORT_UNREACH
                default -> throw new IllegalArgumentException("reject-with " + with);
              };
          ByteBuffer d = buffer(4);
          d.putInt(0, code);
          yield extension(name, 0, d.array());
        }
        default -> {
          if (!opts.isEmpty()) {
            throw new IllegalArgumentException("unknown target -j " + name + " with options");
          }
          // xt_standard_target: libiptc turns ACCEPT/DROP/RETURN and chain labels into verdicts
          yield extension(name, 0, new byte[4]);
        }
      };
    }

    /** struct nf_nat_range2 (42 bytes, padded to 44): MAP_IPS | PROTO_SPECIFIED, one address. */
    private byte[] dnat(String to) {
      int colon = to.lastIndexOf(':');
      String host = to.substring(0, colon);
      if (host.startsWith("[")) {
        host = host.substring(1, host.length() - 1);
      }
      byte[] addr = address(host);
      int port = port(to.substring(colon + 1));
      ByteBuffer d = buffer(44);
      d.putInt(0, 1 | 2);
      d.put(4, addr).put(20, addr);
      d.order(ByteOrder.BIG_ENDIAN).putShort(36, (short) port).putShort(38, (short) port);
      return d.array();
    }

    private byte[] address(String literal) {
      InetAddress a = Addresses.parse(literal);
      boolean v4 = a instanceof Inet4Address;
      if (v4 != (family == IpFamily.IPV4) || (!v4 && !(a instanceof Inet6Address))) {
        throw new IllegalArgumentException(literal + " is not an " + family + " address");
      }
      return a.getAddress();
    }

    /** {@code addr[/len]} → {address & mask, mask}. */
    private byte[][] cidr(String text) {
      int slash = text.indexOf('/');
      byte[] addr = address(slash < 0 ? text : text.substring(0, slash));
      int len = slash < 0 ? addrLen * 8 : Integer.parseInt(text.substring(slash + 1));
      if (len < 0 || len > addrLen * 8) {
        throw new IllegalArgumentException("prefix length " + len + " in " + text);
      }
      byte[] mask = new byte[addrLen];
      for (int bit = 0; bit < len; bit++) {
        mask[bit / 8] |= (byte) (0x80 >>> (bit % 8));
      }
      for (int k = 0; k < addrLen; k++) {
        addr[k] &= mask[k];
      }
      return new byte[][] {addr, mask};
    }
  }

  /** A match or target: header (size, name, revision) + data, XT_ALIGN-padded. */
  static byte[] extension(String name, int revision, byte[] data) {
    byte[] n = name.getBytes(StandardCharsets.US_ASCII);
    if (n.length >= NAME_LEN) {
      throw new IllegalArgumentException("extension or chain name too long: " + name);
    }
    int size = HEADER + align(data.length);
    ByteBuffer b = buffer(size);
    b.putShort(0, (short) size);
    b.put(2, n);
    b.put(31, (byte) revision);
    b.put(HEADER, data);
    return b.array();
  }

  /** XT_ALIGN: the kernel aligns every part of an entry to 8 bytes on x86_64. */
  static int align(int n) {
    return (n + 7) & ~7;
  }

  private static ByteBuffer buffer(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
  }

  private static int protocolNumber(String name) {
    return switch (name) {
      case "tcp" -> 6;
      case "udp" -> 17;
      case "sctp" -> 132;
      default -> throw new IllegalArgumentException("protocol " + name);
    };
  }

  private static int port(String text) {
    int p = Integer.parseInt(text);
    if (p < 0 || p > 65535) {
      throw new IllegalArgumentException("port " + text);
    }
    return p;
  }

  /** {@code value[/mask]}; no mask means all 32 bits. */
  private static long[] valueMask(String text) {
    int slash = text.indexOf('/');
    if (slash < 0) {
      return new long[] {Long.decode(text), 0xffffffffL};
    }
    return new long[] {
      Long.decode(text.substring(0, slash)), Long.decode(text.substring(slash + 1))
    };
  }

  /** Where a module's options end: at the next rule-level option (or {@code !} before one). */
  private static int moduleEnd(List<String> t, int from) {
    int i = from;
    while (i < t.size()) {
      String tok = t.get(i);
      if (RULE_OPTIONS.contains(tok)) {
        return i;
      }
      if (tok.equals("!") && i + 1 < t.size() && RULE_OPTIONS.contains(t.get(i + 1))) {
        return i;
      }
      i++;
    }
    return i;
  }

  /** One extension's {@code [!] --option [value]} tokens. */
  record Options(String owner, List<String> tokens) {
    boolean has(String option) {
      return tokens.contains(option);
    }

    boolean negated(String option) {
      int i = tokens.indexOf(option);
      return i > 0 && tokens.get(i - 1).equals("!");
    }

    String value(String option) {
      int i = tokens.indexOf(option);
      if (i < 0 || i + 1 >= tokens.size()) {
        throw new IllegalArgumentException(owner + ": missing " + option);
      }
      return tokens.get(i + 1);
    }
  }
}
