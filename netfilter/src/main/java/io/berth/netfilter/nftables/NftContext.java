package io.berth.netfilter.nftables;

import io.berth.netfilter.RuleError;
import io.berth.netfilter.TransactionFailedException;
import io.berth.netfilter.internal.LibNftables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * One libnftables context ({@code struct nft_ctx}) with buffered output and error streams.
 *
 * <p>Thread safety: none. A context is bound to the network namespace of the thread that created it
 * and must be used from that thread only; {@link NftablesBackend} owns one on a dedicated thread.
 */
final class NftContext implements AutoCloseable {
  /** {@code file:LINE:COL[-COL]: Error: message} as libnftables prints errors for file input. */
  private static final Pattern FILE_ERROR =
      Pattern.compile("^(.*?):(\\d+):(\\d+)(?:-\\d+)?: Error: (.*)$", Pattern.MULTILINE);

  private final LibNftables lib;
  private final Runtime runtime;
  private Pointer ctx;

  NftContext(LibNftables lib) {
    this.lib = lib;
    this.runtime = Runtime.getRuntime(lib);
    Pointer p = lib.nft_ctx_new(LibNftables.NFT_CTX_DEFAULT);
    if (p == null || p.address() == 0) {
      throw new IllegalStateException("nft_ctx_new returned NULL");
    }
    if (lib.nft_ctx_buffer_output(p) != 0 || lib.nft_ctx_buffer_error(p) != 0) {
      lib.nft_ctx_free(p);
      throw new IllegalStateException("nft_ctx_buffer_output/error failed");
    }
    this.ctx = p;
  }

  /**
   * Runs {@code tx} as one atomic batch ({@code nft_run_cmd_from_buffer}) and returns the output
   * buffer. On failure, re-checks the same text from a temporary file in dry-run mode, because
   * libnftables 1.0.6 quotes only the first line of a buffer in its errors while file input gives
   * exact line numbers; those lines are mapped back to the service ports that own them.
   */
  String run(Transaction tx, String operation) throws TransactionFailedException {
    Pointer ctx = requireOpen();
    byte[] bytes = tx.text().getBytes(StandardCharsets.UTF_8);
    Pointer buf = Memory.allocateDirect(runtime, bytes.length + 1);
    buf.put(0, bytes, 0, bytes.length);
    buf.putByte(bytes.length, (byte) 0);
    int rc = lib.nft_run_cmd_from_buffer(ctx, buf);
    String out = nullToEmpty(lib.nft_ctx_get_output_buffer(ctx));
    String err = nullToEmpty(lib.nft_ctx_get_error_buffer(ctx));
    if (rc == 0) {
      return out;
    }
    throw new TransactionFailedException(operation, locate(tx), err);
  }

  private List<RuleError> locate(Transaction tx) {
    Pointer ctx = requireOpen();
    Path file = null;
    try {
      file = Files.createTempFile("berth-nft-", ".nft");
      Files.writeString(file, tx.text());
      lib.nft_ctx_set_dry_run(ctx, true);
      lib.nft_run_cmd_from_filename(ctx, file.toString());
      lib.nft_ctx_get_output_buffer(ctx);
      String err = nullToEmpty(lib.nft_ctx_get_error_buffer(ctx));
      List<RuleError> errors = new ArrayList<>();
      Matcher m = FILE_ERROR.matcher(err);
      while (m.find()) {
        int line = Integer.parseInt(m.group(2));
        errors.add(new RuleError(line, tx.line(line), ownerNear(tx, line), m.group(4).strip()));
      }
      return errors;
    } catch (IOException e) {
      throw new UncheckedIOException("writing the failed transaction for diagnosis", e);
    } finally {
      lib.nft_ctx_set_dry_run(ctx, false);
      if (file != null) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException e) {
          throw new UncheckedIOException("deleting " + file, e);
        }
      }
    }
  }

  /** The owner of {@code line}, or of the element block it closes/opens when it is shared. */
  private static String ownerNear(Transaction tx, int line) {
    String owner = tx.ownerOfLine(line);
    if (!owner.isEmpty()) {
      return owner;
    }
    String text = tx.line(line).strip();
    if (text.endsWith("{")) {
      return tx.ownerOfLine(line + 1);
    }
    if (text.equals("}")) {
      return tx.ownerOfLine(line - 1);
    }
    return "";
  }

  private Pointer requireOpen() {
    if (ctx == null) {
      throw new IllegalStateException("nftables context is closed");
    }
    return ctx;
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  @Override
  public void close() {
    if (ctx != null) {
      lib.nft_ctx_free(ctx);
      ctx = null;
    }
  }
}
