/**
 * The nftables back end. {@link io.berth.netfilter.nftables.NftRenderer} turns a model into berth's
 * tables ({@code ip berth}, {@code ip6 berth}) with per-service data in maps and a fixed set of
 * shared rules; {@code NftState} remembers what each service port contributed so the next sync
 * renders only changed ports; {@link io.berth.netfilter.nftables.NftScript} writes full and diff
 * transactions; {@link io.berth.netfilter.nftables.NftablesBackend} applies them through
 * libnftables on one dedicated thread that owns the context (optionally inside a network
 * namespace).
 */
package io.berth.netfilter.nftables;
