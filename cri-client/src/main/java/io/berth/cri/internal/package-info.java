/**
 * Implementation of the CRI client; not API, may change without notice (as gRPC-java's {@code
 * internal} packages). Holds the Unix-socket channel ({@code UdsChannel}), the call policy
 * (deadlines, reconnect wait, retry of idempotent reads, error translation), the version
 * negotiation ({@code CriConnection}) and the record ⇄ proto mappers, split by area.
 */
package io.berth.cri.internal;
