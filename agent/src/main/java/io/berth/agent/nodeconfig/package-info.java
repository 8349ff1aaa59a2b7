/**
 * berth's node configuration file: one YAML file holding a {@code KubeletConfiguration}
 * (kubelet.config.k8s.io/v1beta1) document and optionally a {@code KubeProxyConfiguration}
 * (kubeproxy.config.k8s.io/v1alpha1) document, for the fields berth supports.
 *
 * <pre>
 *   config.yaml ─▶ ConfigFile.load ─▶ FieldReader (per document: typed reads, consumed fields,
 *                                      problems with field paths)
 *                       │                └─▶ KubeletConfig / KubeProxyConfig (records, defaults)
 *                       ▼
 *                  BerthConfig + warnings ─▶ SettingsMapping (flags override) ─▶ NodeAgent.Settings
 * </pre>
 *
 * <p>Fields the real configuration types define but berth does not implement are warned about as
 * "not supported" (with their path) and ignored; fields no such type defines are warned about as
 * unknown; invalid values of supported fields refuse start-up with the field path and the reason.
 */
package io.berth.agent.nodeconfig;
