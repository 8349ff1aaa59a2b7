package io.berth.agent.validation;

import java.util.List;

/** Decoded manifests may leave lists null; validation reads them as empty. */
final class Lists {
  private Lists() {}

  static <T> List<T> nonNull(List<T> list) {
    return list == null ? List.of() : list;
  }
}
