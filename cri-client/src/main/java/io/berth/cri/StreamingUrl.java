package io.berth.cri;

/**
 * Where the runtime's streaming server serves an exec, attach or port-forward session. Usually
 * absolute ({@code http://127.0.0.1:port/exec/token}); a relative URL is relative to the kubelet's
 * own streaming base.
 */
public record StreamingUrl(String url) {
  public StreamingUrl {
    url = Copies.str(url);
  }
}
