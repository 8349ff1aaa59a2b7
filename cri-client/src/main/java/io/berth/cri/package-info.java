/**
 * A typed Java client for the Kubernetes Container Runtime Interface (CRI) v1.
 *
 * <p>Start with {@link io.berth.cri.CriRuntime#connect(String, io.berth.cri.CriOptions)}; it
 * returns the two services, {@link io.berth.cri.RuntimeService} and {@link
 * io.berth.cri.ImageService}. Everything in and out is a Java record from this package; generated
 * protobuf classes ({@code io.berth.cri.v1}) and gRPC types never appear in a signature here.
 *
 * <pre>
 *   caller ──records──▶ RuntimeService / ImageService
 *                           │ (internal: mapping, deadlines, retry, error translation)
 *                           ▼
 *                       gRPC runtime.v1 ──Unix socket (Netty epoll)──▶ containerd / CRI-O
 * </pre>
 *
 * <p>Failures are {@link io.berth.cri.CriException} subtypes whose messages name the operation and
 * the sandbox, container or image involved.
 */
package io.berth.cri;
