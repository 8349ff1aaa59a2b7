package io.berth.netfilter.iptables;

import io.berth.netfilter.NetfilterException;
import io.berth.netfilter.model.IpFamily;
import java.util.List;

/**
 * Writes prepared {@link LibiptcTables.TableInput}s into one iptables flavour in-process: legacy
 * x_tables through libiptc ({@link LibiptcTables}) or iptables-nft's nf_tables representation over
 * nfnetlink ({@link NftCompatTables}).
 */
sealed interface TableWriter extends AutoCloseable permits LibiptcTables, NftCompatTables {
  /** Fails with {@link LibiptcTables.TableUnavailableException} when the family cannot be used. */
  void probe(IpFamily family) throws NetfilterException;

  /** Applies one family's tables; returns the operations written (chains and rules). */
  int apply(IpFamily family, List<LibiptcTables.TableInput> tables) throws NetfilterException;

  /** Deletes berth's chains and the jumps into them; returns what was removed, per table. */
  List<String> removeAll(IpFamily family) throws NetfilterException;

  /** For {@code describe()}. */
  String describe();

  @Override
  void close();
}
