/**
 * The volume manager: what the kubelet's volumemanager and volume plugins do for the volumes berth
 * supports.
 *
 * <pre>
 *   PodSpec.volumes ──▶ PodVolumes.setUp(pod) ──▶ one directory per volume under
 *                                                  &lt;root&gt;/pods/&lt;uid&gt;/volumes/kubernetes.io~&lt;plugin&gt;/&lt;name&gt;
 *                       (emptyDir, hostPath checks, configMap, secret, downwardAPI, projected)
 *   container.volumeMounts ──▶ PodVolumes.mounts(pod, container) ──▶ CRI mounts (subPath resolved)
 * </pre>
 *
 * <p>Files of configMap, secret, downwardAPI and projected volumes are written by {@link
 * io.berth.agent.volume.AtomicWriter}: a timestamped directory, the {@code ..data} symlink swapped
 * by rename, user-visible symlinks into it — so a container never sees a half-written update. Every
 * key, path and subPath is checked against traversal before anything touches the disk.
 *
 * <p>Thread safety: one pod's volumes are set up and torn down by that pod's worker only.
 */
package io.berth.agent.volume;
