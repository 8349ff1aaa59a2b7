package io.berth.agent.proxy;

import io.berth.netfilter.NetfilterBackend;
import io.berth.netfilter.NetfilterException;
import io.berth.netfilter.RuleError;
import io.berth.netfilter.SyncMode;
import io.berth.netfilter.SyncResult;
import io.berth.netfilter.TransactionFailedException;
import io.berth.netfilter.model.ServiceModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Records every sync; can be told to reject the next ones like libnftables would. */
final class FakeBackend implements NetfilterBackend {
  record Call(ServiceModel model, SyncMode mode) {}

  final List<Call> calls = new ArrayList<>();
  int failNext;

  @Override
  public synchronized SyncResult sync(ServiceModel desired, SyncMode mode)
      throws NetfilterException {
    calls.add(new Call(desired, mode));
    if (failNext > 0) {
      failNext--;
      throw new TransactionFailedException(
          "sync",
          List.of(new RuleError(7, "add element ...", "default/web:http IPV4", "File exists")),
          "Error: File exists");
    }
    return new SyncResult(mode, 10, Duration.ZERO, Duration.ZERO);
  }

  synchronized Call last() {
    return calls.getLast();
  }

  synchronized List<SyncMode> modes() {
    return calls.stream().map(Call::mode).toList();
  }

  @Override
  public void cleanup() {}

  @Override
  public String describe() {
    return "fake";
  }

  @Override
  public void close() {}
}
