package io.berth.netfilter;

/** Whether a sync rewrites berth's tables or applies the difference to the previous sync. */
public enum SyncMode {
  FULL,
  INCREMENTAL
}
