package io.berth.netfilter.ipvs;

/**
 * The kernel ABI berth's IPVS encoding uses, by name as in {@code linux/netlink.h}, {@code
 * linux/genetlink.h}, {@code linux/socket.h}, {@code linux/in.h} and {@code linux/ip_vs.h}. {@code
 * IpvsAbiTest} checks every value against the installed {@code /usr/include/linux/ip_vs.h}.
 */
final class IpvsAbi {
  private IpvsAbi() {}

  // linux/socket.h, linux/in.h
  static final int AF_INET = 2;
  static final int AF_INET6 = 10;
  static final int IPPROTO_TCP = 6;
  static final int IPPROTO_UDP = 17;
  static final int IPPROTO_SCTP = 132;

  // linux/netlink.h
  static final int NETLINK_GENERIC = 16;
  static final int NLMSG_HDRLEN = 16;
  static final int NLA_HDRLEN = 4;
  static final int NLA_ALIGNTO = 4;
  static final int NLA_F_NESTED = 0x8000;
  static final int NLA_TYPE_MASK = 0x3FFF;
  static final short NLMSG_ERROR = 2;
  static final short NLMSG_DONE = 3;
  static final short NLM_F_REQUEST = 0x1;
  static final short NLM_F_MULTI = 0x2;
  static final short NLM_F_ACK = 0x4;
  static final short NLM_F_DUMP = 0x300;

  // linux/genetlink.h
  static final int GENL_HDRLEN = 4;
  static final short GENL_ID_CTRL = 0x10;
  static final int CTRL_CMD_GETFAMILY = 3;
  static final int CTRL_ATTR_FAMILY_ID = 1;
  static final int CTRL_ATTR_FAMILY_NAME = 2;

  // linux/ip_vs.h
  static final String IPVS_GENL_NAME = "IPVS";
  static final int IPVS_GENL_VERSION = 0x1;
  static final int IP_VS_SCHEDNAME_MAXLEN = 16;
  static final int IP_VS_SVC_F_PERSISTENT = 0x0001;
  static final int IP_VS_SVC_F_HASHED = 0x0002;
  static final int IP_VS_CONN_F_FWD_MASK = 0x0007;
  static final int IP_VS_CONN_F_MASQ = 0x0000;

  // enum: IPVS_CMD_*
  static final int IPVS_CMD_NEW_SERVICE = 1;
  static final int IPVS_CMD_SET_SERVICE = 2;
  static final int IPVS_CMD_DEL_SERVICE = 3;
  static final int IPVS_CMD_GET_SERVICE = 4;
  static final int IPVS_CMD_NEW_DEST = 5;
  static final int IPVS_CMD_SET_DEST = 6;
  static final int IPVS_CMD_DEL_DEST = 7;
  static final int IPVS_CMD_GET_DEST = 8;
  static final int IPVS_CMD_FLUSH = 17;

  // enum: IPVS_CMD_ATTR_*
  static final int IPVS_CMD_ATTR_SERVICE = 1;
  static final int IPVS_CMD_ATTR_DEST = 2;

  // enum: IPVS_SVC_ATTR_*
  static final int IPVS_SVC_ATTR_AF = 1;
  static final int IPVS_SVC_ATTR_PROTOCOL = 2;
  static final int IPVS_SVC_ATTR_ADDR = 3;
  static final int IPVS_SVC_ATTR_PORT = 4;
  static final int IPVS_SVC_ATTR_FWMARK = 5;
  static final int IPVS_SVC_ATTR_SCHED_NAME = 6;
  static final int IPVS_SVC_ATTR_FLAGS = 7;
  static final int IPVS_SVC_ATTR_TIMEOUT = 8;
  static final int IPVS_SVC_ATTR_NETMASK = 9;

  // enum: IPVS_DEST_ATTR_*
  static final int IPVS_DEST_ATTR_ADDR = 1;
  static final int IPVS_DEST_ATTR_PORT = 2;
  static final int IPVS_DEST_ATTR_FWD_METHOD = 3;
  static final int IPVS_DEST_ATTR_WEIGHT = 4;
  static final int IPVS_DEST_ATTR_U_THRESH = 5;
  static final int IPVS_DEST_ATTR_L_THRESH = 6;
  static final int IPVS_DEST_ATTR_ADDR_FAMILY = 11;

  /** {@code sizeof(union nf_inet_addr)}: IPVS addresses are always 16 bytes, IPv4 zero-padded. */
  static final int INET_ADDR_LEN = 16;

  /** {@code sizeof(struct ip_vs_flags)}: {@code __u32 flags; __u32 mask;}. */
  static final int IP_VS_FLAGS_LEN = 8;

  /** {@code NLA_ALIGN(len)}. */
  static int align(int len) {
    return (len + NLA_ALIGNTO - 1) & ~(NLA_ALIGNTO - 1);
  }
}
