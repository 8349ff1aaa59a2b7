package io.berth.netfilter.internal;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;

/** The part of libnftables' public API ({@code nftables/libnftables.h}) berth uses. */
public interface LibNftables {
  /** Soname to load: the unversioned name only exists with the -dev package. */
  String LIBRARY = "libnftables.so.1";

  int NFT_CTX_DEFAULT = 0;

  Pointer nft_ctx_new(int flags);

  void nft_ctx_free(Pointer ctx);

  int nft_ctx_buffer_output(Pointer ctx);

  int nft_ctx_buffer_error(Pointer ctx);

  String nft_ctx_get_output_buffer(Pointer ctx);

  String nft_ctx_get_error_buffer(Pointer ctx);

  void nft_ctx_set_dry_run(Pointer ctx, boolean dry);

  int nft_run_cmd_from_buffer(Pointer ctx, @In Pointer buf);

  int nft_run_cmd_from_filename(Pointer ctx, String filename);
}
