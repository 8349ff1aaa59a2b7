/**
 * Pod sources and their merge: the kubelet's {@code pkg/kubelet/config} for berth.
 *
 * <pre>
 *  manifest dir ── FileSource ─┐                     ┌─ PodUpdate.Add / Update / Delete /
 *  (watch + re-scan)           │  SourceSnapshot     │  Remove / Reconcile / Set
 *  manifest URL ── UrlSource ──┼──────────────▶ PodConfig ──────────────▶ sync loop (take())
 *  (poll + back-off)           │  (SET semantics)    │
 *  API server (later) ─────────┘                     └─ allSourcesReady(), rejectedManifests()
 * </pre>
 *
 * <p>Each source reads manifests through {@link io.berth.agent.config.ManifestReader}: bytes are
 * decoded by {@link io.berth.agent.config.ManifestDecoder} (fabric8 model, Jackson JSON/YAML,
 * strict about duplicate keys, types and size), defaulted by {@link
 * io.berth.agent.kuberuntime.PodDefaults} and {@link io.berth.agent.config.StaticPodDefaults} (UID,
 * name suffix, node name, annotations, tolerations), then validated by {@link
 * io.berth.agent.validation.PodValidator}. A refused manifest becomes a {@link
 * io.berth.agent.config.RejectedManifest}; it never disturbs other pods.
 */
package io.berth.agent.config;
