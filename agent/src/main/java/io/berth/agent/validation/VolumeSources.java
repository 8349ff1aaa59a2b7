package io.berth.agent.validation;

import io.fabric8.kubernetes.api.model.Volume;
import java.util.ArrayList;
import java.util.List;

/** The volume source fields of a {@link Volume}, by their JSON names. */
public final class VolumeSources {
  private VolumeSources() {}

  /** The JSON names of the sources that are set, in API field order. */
  /** The names of the sources set on {@code v} (the API requires exactly one). */
  public static List<String> present(Volume v) {
    List<String> set = new ArrayList<>();
    add(set, "hostPath", v.getHostPath());
    add(set, "emptyDir", v.getEmptyDir());
    add(set, "gcePersistentDisk", v.getGcePersistentDisk());
    add(set, "awsElasticBlockStore", v.getAwsElasticBlockStore());
    add(set, "gitRepo", v.getGitRepo());
    add(set, "secret", v.getSecret());
    add(set, "nfs", v.getNfs());
    add(set, "iscsi", v.getIscsi());
    add(set, "glusterfs", v.getGlusterfs());
    add(set, "persistentVolumeClaim", v.getPersistentVolumeClaim());
    add(set, "rbd", v.getRbd());
    add(set, "flexVolume", v.getFlexVolume());
    add(set, "cinder", v.getCinder());
    add(set, "cephfs", v.getCephfs());
    add(set, "flocker", v.getFlocker());
    add(set, "downwardAPI", v.getDownwardAPI());
    add(set, "fc", v.getFc());
    add(set, "azureFile", v.getAzureFile());
    add(set, "configMap", v.getConfigMap());
    add(set, "vsphereVolume", v.getVsphereVolume());
    add(set, "quobyte", v.getQuobyte());
    add(set, "azureDisk", v.getAzureDisk());
    add(set, "photonPersistentDisk", v.getPhotonPersistentDisk());
    add(set, "projected", v.getProjected());
    add(set, "portworxVolume", v.getPortworxVolume());
    add(set, "scaleIO", v.getScaleIO());
    add(set, "storageos", v.getStorageos());
    add(set, "csi", v.getCsi());
    add(set, "ephemeral", v.getEphemeral());
    add(set, "image", v.getImage());
    return set;
  }

  private static void add(List<String> set, String name, Object source) {
    if (source != null) {
      set.add(name);
    }
  }
}
