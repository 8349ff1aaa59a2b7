package io.berth.agent.kubeapi;

import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The connection settings of one kubeconfig context: where the API server is, how to trust it and
 * how to authenticate. PEM contents are already read (inline {@code *-data} or the referenced
 * files); the token file is kept as a path because it rotates.
 *
 * @param server the API server URL
 * @param certificateAuthorityPem CA bundle to trust; empty: the JDK's default trust store
 * @param insecureSkipTlsVerify trust any server certificate (tests only)
 * @param clientCertificatePem client certificate chain for mutual TLS, if any
 * @param clientKeyPem its private key (PKCS#8 or PKCS#1 RSA PEM), if any
 * @param token a static bearer token, if any
 * @param tokenFile a bearer token file re-read as it rotates, if any
 * @param namespace the context's default namespace ("default" when unset)
 */
public record Kubeconfig(
    URI server,
    Optional<String> certificateAuthorityPem,
    boolean insecureSkipTlsVerify,
    Optional<String> clientCertificatePem,
    Optional<String> clientKeyPem,
    Optional<String> token,
    Optional<Path> tokenFile,
    String namespace) {}
