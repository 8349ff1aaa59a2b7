package io.berth.netfilter.ipvs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every kernel constant berth's IPVS encoding uses ({@link IpvsAbi}) equals the installed UAPI
 * headers' value: {@code linux/ip_vs.h}, {@code linux/netlink.h}, {@code linux/genetlink.h}, {@code
 * linux/in.h} (package linux-libc-dev) and, for {@code AF_INET/AF_INET6}, glibc's {@code
 * bits/socket.h}. Enum members count from their first member, as the compiler counts them.
 */
class IpvsAbiTest {
  private static final Path INCLUDE = Path.of("/usr/include");

  /** Sizes that the headers give as structs ({@link #structSizes}), not as defines. */
  private static final Set<String> SIZES =
      Set.of("NLMSG_HDRLEN", "NLA_HDRLEN", "GENL_HDRLEN", "INET_ADDR_LEN", "IP_VS_FLAGS_LEN");

  private static UapiHeaders headers() throws IOException {
    List<Path> files =
        new ArrayList<>(
            List.of(
                INCLUDE.resolve("linux/ip_vs.h"),
                INCLUDE.resolve("linux/netlink.h"),
                INCLUDE.resolve("linux/genetlink.h"),
                INCLUDE.resolve("linux/in.h"),
                INCLUDE.resolve("linux/netfilter.h")));
    try (Stream<Path> arch = Files.list(INCLUDE)) {
      arch.map(d -> d.resolve("bits/socket.h"))
          .filter(Files::isRegularFile)
          .findFirst()
          .ifPresent(files::add);
    }
    return UapiHeaders.read(files);
  }

  @Test
  void everyNumericConstantMatchesTheHeaders() throws Exception {
    UapiHeaders h = headers();
    List<String> checked = new ArrayList<>();
    for (Field f : IpvsAbi.class.getDeclaredFields()) {
      int mod = f.getModifiers();
      if (!Modifier.isStatic(mod)
          || !Modifier.isFinal(mod)
          || SIZES.contains(f.getName())
          || !(f.getType() == int.class || f.getType() == short.class)) {
        continue;
      }
      f.setAccessible(true);
      long berth = ((Number) f.get(null)).longValue();
      OptionalLong kernel = h.value(f.getName());
      assertThat(kernel).as(f.getName() + " is not in the headers").isPresent();
      long expected = kernel.getAsLong();
      if (f.getName().equals("NLA_TYPE_MASK")) {
        expected &= 0xFFFF; // ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) applied to a u16 nla_type
      }
      assertThat(berth).as(f.getName()).isEqualTo(expected);
      checked.add(f.getName());
    }
    // the ones the messages are made of, so a renamed field cannot silently drop out of the check
    assertThat(checked)
        .contains(
            "IPVS_CMD_NEW_SERVICE",
            "IPVS_CMD_SET_SERVICE",
            "IPVS_CMD_DEL_SERVICE",
            "IPVS_CMD_GET_SERVICE",
            "IPVS_CMD_NEW_DEST",
            "IPVS_CMD_SET_DEST",
            "IPVS_CMD_DEL_DEST",
            "IPVS_CMD_GET_DEST",
            "IPVS_CMD_FLUSH",
            "IPVS_CMD_ATTR_SERVICE",
            "IPVS_CMD_ATTR_DEST",
            "IPVS_SVC_ATTR_AF",
            "IPVS_SVC_ATTR_PROTOCOL",
            "IPVS_SVC_ATTR_ADDR",
            "IPVS_SVC_ATTR_PORT",
            "IPVS_SVC_ATTR_FWMARK",
            "IPVS_SVC_ATTR_SCHED_NAME",
            "IPVS_SVC_ATTR_FLAGS",
            "IPVS_SVC_ATTR_TIMEOUT",
            "IPVS_SVC_ATTR_NETMASK",
            "IPVS_DEST_ATTR_ADDR",
            "IPVS_DEST_ATTR_PORT",
            "IPVS_DEST_ATTR_FWD_METHOD",
            "IPVS_DEST_ATTR_WEIGHT",
            "IPVS_DEST_ATTR_U_THRESH",
            "IPVS_DEST_ATTR_L_THRESH",
            "IPVS_DEST_ATTR_ADDR_FAMILY",
            "IP_VS_SVC_F_PERSISTENT",
            "IP_VS_SVC_F_HASHED",
            "IP_VS_CONN_F_MASQ",
            "IP_VS_CONN_F_FWD_MASK",
            "IP_VS_SCHEDNAME_MAXLEN",
            "IPVS_GENL_VERSION",
            "NLA_F_NESTED",
            "NLA_ALIGNTO",
            "NLM_F_DUMP",
            "NLM_F_ACK",
            "GENL_ID_CTRL",
            "CTRL_CMD_GETFAMILY",
            "CTRL_ATTR_FAMILY_NAME",
            "IPPROTO_TCP",
            "IPPROTO_UDP",
            "IPPROTO_SCTP");
  }

  @Test
  void familyNameAndStructSizes() throws Exception {
    UapiHeaders h = headers();
    assertThat(IpvsAbi.IPVS_GENL_NAME).isEqualTo(h.string("IPVS_GENL_NAME"));
    assertThat(IpvsAbi.IP_VS_FLAGS_LEN).isEqualTo(h.sizeOf("struct", "ip_vs_flags"));
    assertThat(IpvsAbi.INET_ADDR_LEN).isEqualTo(h.sizeOf("union", "nf_inet_addr"));
    assertThat(IpvsAbi.NLMSG_HDRLEN).isEqualTo(h.sizeOf("struct", "nlmsghdr"));
    assertThat(IpvsAbi.NLA_HDRLEN).isEqualTo(h.sizeOf("struct", "nlattr"));
    assertThat(IpvsAbi.GENL_HDRLEN).isEqualTo(h.sizeOf("struct", "genlmsghdr"));
  }

  @Test
  void theHeaderReaderCountsEnumsAndEvaluatesDefinesAsTheCompilerDoes() {
    UapiHeaders h =
        UapiHeaders.parse(
            """
            /* a comment with enum { X } inside */
            #define F_NESTED		(1 << 15)
            #define F_ORDER (1 << 14)
            #define MASK ~(F_NESTED | F_ORDER)
            #define ALIGN(len) (((len) + 3) & ~3)
            enum {
            	A_UNSPEC = 0,
            	A_ONE,		/* first */
            #define A_ONE A_ONE
            	A_TEN = 10,
            	A_ELEVEN,
            	__A_MAX,
            };
            struct pair { __u32 flags; __u32 mask; };
            struct hdr { __u8 cmd; __u8 version; __u16 reserved; };
            union addr { __u32 all[4]; __be32 ip; struct in_addr in; };
            """);
    assertThat(h.value("A_ONE")).hasValue(1);
    assertThat(h.value("A_ELEVEN")).hasValue(11);
    assertThat(h.value("__A_MAX")).hasValue(12);
    assertThat(h.value("MASK").getAsLong() & 0xFFFF).isEqualTo(0x3FFF);
    assertThat(h.value("ALIGN")).isEmpty();
    assertThat(h.value("NOWHERE")).isEmpty();
    assertThat(h.sizeOf("struct", "pair")).isEqualTo(8);
    assertThat(h.sizeOf("struct", "hdr")).isEqualTo(4);
    assertThat(h.sizeOf("union", "addr")).isEqualTo(16);
  }
}
