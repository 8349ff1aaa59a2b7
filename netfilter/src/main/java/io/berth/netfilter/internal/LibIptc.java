package io.berth.netfilter.internal;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.SaveError;

/**
 * The part of libiptc's API ({@code libiptc/libiptc.h}) berth uses, once for both families: {@code
 * libip4tc.so.2} exports it as {@code iptc_*} and {@code libip6tc.so.2} as {@code ip6tc_*}; {@link
 * Native#loadIptc} maps each method to its symbol ({@code firstChain} → {@code iptc_first_chain}).
 * A handle ({@code struct xtc_handle *}) is a private copy of one table read from the kernel;
 * changes stay in that copy until {@link #commit} replaces the whole table in one {@code
 * IPT_SO_SET_REPLACE} (IPv6: {@code IP6T_SO_SET_REPLACE}). Entries are {@code struct ipt_entry} /
 * {@code ip6t_entry} blobs ({@code io.berth.netfilter.iptables.EntryEncoder}). Calls return 1 on
 * success and 0 with errno set on failure; rule and chain positions are 0-based. Not thread-safe:
 * {@link #strerror} reads library-global state of the last call.
 */
public interface LibIptc {
  /** Sonames to load: the unversioned names only exist with the -dev package. */
  String IPV4_LIBRARY = "libip4tc.so.2";

  String IPV6_LIBRARY = "libip6tc.so.2";

  @SaveError
  Pointer init(String table);

  void free(Pointer handle);

  int builtin(String chain, Pointer handle);

  String firstChain(Pointer handle);

  String nextChain(Pointer handle);

  Pointer firstRule(String chain, Pointer handle);

  Pointer nextRule(Pointer previous, Pointer handle);

  String getTarget(Pointer entry, Pointer handle);

  @SaveError
  int createChain(String chain, Pointer handle);

  @SaveError
  int deleteChain(String chain, Pointer handle);

  @SaveError
  int flushEntries(String chain, Pointer handle);

  @SaveError
  int appendEntry(String chain, @In byte[] entry, Pointer handle);

  @SaveError
  int insertEntry(String chain, @In byte[] entry, int rulenum, Pointer handle);

  @SaveError
  int deleteNumEntry(String chain, int rulenum, Pointer handle);

  @SaveError
  int commit(Pointer handle);

  String strerror(int errno);
}
