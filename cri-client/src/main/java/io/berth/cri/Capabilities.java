package io.berth.cri;

import java.util.List;

/** Linux capabilities to add and drop (names like {@code "NET_ADMIN"} or {@code "ALL"}). */
public record Capabilities(List<String> add, List<String> drop) {
  public Capabilities {
    add = Copies.list(add);
    drop = Copies.list(drop);
  }
}
