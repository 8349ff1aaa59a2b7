/**
 * berth's service-VIP data plane: the back-end interface the proxier calls ({@link
 * io.berth.netfilter.NetfilterBackend}: {@code sync(model, FULL|INCREMENTAL)}, {@code cleanup()},
 * {@code describe()}), sync results and typed errors ({@link
 * io.berth.netfilter.TransactionFailedException} names the offending service port).
 *
 * <p>Sub-packages: {@code model} (desired state records), {@code nftables} (renderer, incremental
 * state, libnftables back end), {@code detect} (run-time back-end detection), {@code internal} (FFI
 * bindings and namespace entry; not API).
 */
package io.berth.netfilter;
