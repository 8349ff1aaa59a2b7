package io.berth.netfilter.iptables;

import io.berth.netfilter.model.IpFamily;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Encodes a parsed iptables rule ({@link EntryEncoder.Parsed}) as the nf_tables expressions that
 * iptables-nft 1.8 writes for it, so {@code iptables-nft-save} and {@code nft list ruleset} read it
 * back exactly as if {@code iptables-nft-restore} had written it:
 *
 * <pre>
 *  -p proto          meta load l4proto → reg 1; cmp eq|neq reg 1 proto (1 byte)
 *  -s / -d cidr      payload load (network header, saddr|daddr offset, whole bytes of the prefix)
 *                    [bitwise & mask over the full address when the prefix is not byte-aligned];
 *                    cmp eq|neq
 *  -m tcp|udp --dport N   payload load 2b @ transport header + 2; cmp eq (big-endian port)
 *  -m mark [!] --mark v/m meta load mark; [bitwise & m when m ≠ 0xffffffff]; cmp eq|neq v
 *  any other -m      xt compat "match" (name, revision, the x_tables struct as NFTA_MATCH_INFO)
 *  every rule        counter (0, 0), before the verdict
 *  -j CHAIN|ACCEPT|DROP|RETURN   immediate verdict (jump / accept / drop / return)
 *  -j other          xt compat "target" (name, revision, struct)
 *  rule              NFTA_RULE_COMPAT {proto, inverted flag}: what xt matches check against
 * </pre>
 *
 * The field order (l4proto, saddr, daddr, then matches in rule order) is iptables-nft's ({@code
 * nft_ipv4_add}/{@code nft_ipv6_add}); {@code NftCompatOracleIT} pins it against {@code
 * iptables-nft-restore}. Attribute numbers are {@code linux/netfilter/nf_tables.h}'s.
 */
final class NftCompatEncoder {
  // NFTA_RULE_*
  static final int RULE_TABLE = 1;
  static final int RULE_CHAIN = 2;
  static final int RULE_HANDLE = 3;
  static final int RULE_EXPRESSIONS = 4;
  static final int RULE_COMPAT = 5;
  private static final int COMPAT_PROTO = 1;
  private static final int COMPAT_FLAGS = 2;
  private static final int COMPAT_F_INV = 1 << 1;
  static final int LIST_ELEM = 1;
  static final int EXPR_NAME = 1;
  static final int EXPR_DATA = 2;
  // registers
  private static final int REG_VERDICT = 0;
  private static final int REG_1 = 1;
  // payload
  private static final int PAYLOAD_DREG = 1;
  private static final int PAYLOAD_BASE = 2;
  private static final int PAYLOAD_OFFSET = 3;
  private static final int PAYLOAD_LEN = 4;
  private static final int BASE_NETWORK = 1;
  private static final int BASE_TRANSPORT = 2;
  // cmp
  private static final int CMP_SREG = 1;
  private static final int CMP_OP = 2;
  private static final int CMP_DATA = 3;
  private static final int CMP_EQ = 0;
  private static final int CMP_NEQ = 1;
  private static final int DATA_VALUE = 1;
  static final int DATA_VERDICT = 2;
  static final int VERDICT_CODE = 1;
  static final int VERDICT_CHAIN = 2;
  // meta
  private static final int META_DREG = 1;
  private static final int META_KEY = 2;
  private static final int META_MARK = 3;
  private static final int META_L4PROTO = 16;
  // bitwise
  private static final int BITWISE_SREG = 1;
  private static final int BITWISE_DREG = 2;
  private static final int BITWISE_LEN = 3;
  private static final int BITWISE_MASK = 4;
  private static final int BITWISE_XOR = 5;
  // counter, immediate, match/target
  private static final int COUNTER_BYTES = 1;
  private static final int COUNTER_PACKETS = 2;
  static final int IMMEDIATE_DREG = 1;
  static final int IMMEDIATE_DATA = 2;
  private static final int XT_NAME = 1;
  private static final int XT_REV = 2;
  private static final int XT_INFO = 3;
  // verdicts
  private static final int NF_DROP = 0;
  private static final int NF_ACCEPT = 1;
  static final int NFT_JUMP = -3;
  private static final int NFT_RETURN = -5;

  private static final int INV_SRCIP = 0x08;
  private static final int INV_DSTIP = 0x10;
  private static final int INV_PROTO = 0x40;

  private NftCompatEncoder() {}

  /** Writes {@code NFTA_RULE_EXPRESSIONS} and {@code NFTA_RULE_COMPAT} of {@code rule}. */
  static void write(EntryEncoder.Parsed rule, NfMessages m) {
    m.nest(RULE_EXPRESSIONS);
    boolean v4 = rule.family() == IpFamily.IPV4;
    if (rule.proto() != 0) {
      meta(m, META_L4PROTO);
      cmp(m, (rule.invflags() & INV_PROTO) != 0, new byte[] {(byte) rule.proto()});
    }
    address(m, v4 ? 12 : 8, rule.src(), rule.srcMask(), (rule.invflags() & INV_SRCIP) != 0);
    address(m, v4 ? 16 : 24, rule.dst(), rule.dstMask(), (rule.invflags() & INV_DSTIP) != 0);
    for (EntryEncoder.Extension x : rule.matches()) {
      match(m, x);
    }
    expr(m, "counter").u64(COUNTER_BYTES, 0).u64(COUNTER_PACKETS, 0);
    endExpr(m);
    target(m, rule.target());
    m.close();
    m.nest(RULE_COMPAT)
        .u32(COMPAT_PROTO, rule.proto())
        .u32(COMPAT_FLAGS, (rule.invflags() & INV_PROTO) != 0 ? COMPAT_F_INV : 0)
        .close();
  }

  private static void match(NfMessages m, EntryEncoder.Extension x) {
    EntryEncoder.Options o = x.options();
    switch (x.name()) {
      case "tcp", "udp" -> {
        if (o.tokens().size() == 2 && o.has("--dport")) {
          payload(m, BASE_TRANSPORT, 2, 2);
          int port = Integer.parseInt(o.value("--dport"));
          cmp(m, false, new byte[] {(byte) (port >>> 8), (byte) port});
          return;
        }
      }
      case "mark" -> {
        ByteBuffer info = ByteBuffer.wrap(x.info()).order(ByteOrder.nativeOrder());
        int value = info.getInt(0);
        int mask = info.getInt(4);
        meta(m, META_MARK);
        if (mask != 0xffffffff) {
          bitwise(m, native32(mask));
        }
        cmp(m, info.get(8) != 0, native32(value));
        return;
      }
      default -> {}
    }
    expr(m, "match").string(XT_NAME, x.name()).u32(XT_REV, x.revision()).bytes(XT_INFO, x.info());
    endExpr(m);
  }

  private static void target(NfMessages m, EntryEncoder.Extension t) {
    int verdict =
        switch (t.name()) {
          case "ACCEPT" -> NF_ACCEPT;
          case "DROP" -> NF_DROP;
          case "RETURN" -> NFT_RETURN;
          case "MARK", "MASQUERADE", "DNAT", "SNAT", "REJECT" -> {
            expr(m, "target")
                .string(XT_NAME, t.name())
                .u32(XT_REV, t.revision())
                .bytes(XT_INFO, t.info());
            endExpr(m);
            yield Integer.MIN_VALUE;
          }
          default -> NFT_JUMP; // a chain (EntryEncoder refuses unknown targets with options)
        };
    if (verdict == Integer.MIN_VALUE) {
      return;
    }
    expr(m, "immediate").u32(IMMEDIATE_DREG, REG_VERDICT).nest(IMMEDIATE_DATA).nest(DATA_VERDICT);
    m.u32(VERDICT_CODE, verdict);
    if (verdict == NFT_JUMP) {
      m.string(VERDICT_CHAIN, t.name());
    }
    m.close().close();
    endExpr(m);
  }

  private static void address(NfMessages m, int offset, byte[] addr, byte[] mask, boolean inv) {
    boolean any = inv;
    for (int k = 0; k < addr.length; k++) {
      any |= addr[k] != 0 || mask[k] != 0;
    }
    if (!any) {
      return;
    }
    int len = addr.length;
    int i = 0;
    boolean bitwise = false;
    while (i < len && mask[i] == (byte) 0xff) {
      i++;
    }
    if (i < len) {
      bitwise = mask[i] != 0;
      for (int j = i + 1; !bitwise && j < len; j++) {
        bitwise = mask[j] != 0;
      }
    }
    if (!bitwise) {
      len = i;
    }
    payload(m, BASE_NETWORK, offset, len);
    if (bitwise) {
      bitwise(m, java.util.Arrays.copyOf(mask, len));
    }
    cmp(m, inv, java.util.Arrays.copyOf(addr, len));
  }

  private static void payload(NfMessages m, int base, int offset, int len) {
    expr(m, "payload")
        .u32(PAYLOAD_DREG, REG_1)
        .u32(PAYLOAD_BASE, base)
        .u32(PAYLOAD_OFFSET, offset)
        .u32(PAYLOAD_LEN, len);
    endExpr(m);
  }

  private static void meta(NfMessages m, int key) {
    expr(m, "meta").u32(META_KEY, key).u32(META_DREG, REG_1);
    endExpr(m);
  }

  private static void bitwise(NfMessages m, byte[] mask) {
    expr(m, "bitwise")
        .u32(BITWISE_SREG, REG_1)
        .u32(BITWISE_DREG, REG_1)
        .u32(BITWISE_LEN, mask.length)
        .nest(BITWISE_MASK)
        .bytes(DATA_VALUE, mask)
        .close()
        .nest(BITWISE_XOR)
        .bytes(DATA_VALUE, new byte[mask.length])
        .close();
    endExpr(m);
  }

  private static void cmp(NfMessages m, boolean neq, byte[] value) {
    expr(m, "cmp")
        .u32(CMP_SREG, REG_1)
        .u32(CMP_OP, neq ? CMP_NEQ : CMP_EQ)
        .nest(CMP_DATA)
        .bytes(DATA_VALUE, value)
        .close();
    endExpr(m);
  }

  private static NfMessages expr(NfMessages m, String name) {
    return m.nest(LIST_ELEM).string(EXPR_NAME, name).nest(EXPR_DATA);
  }

  private static void endExpr(NfMessages m) {
    m.close().close();
  }

  private static byte[] native32(int v) {
    return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
  }
}
