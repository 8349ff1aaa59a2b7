package io.berth.netfilter;

import java.time.Duration;

/**
 * What one sync did.
 *
 * @param mode what was applied (an incremental request without a previous state becomes FULL)
 * @param commandLines lines of nft text sent (0: nothing changed, no transaction)
 * @param render time spent building the text
 * @param apply time spent in libnftables (parse, netlink, kernel)
 */
public record SyncResult(SyncMode mode, int commandLines, Duration render, Duration apply) {}
