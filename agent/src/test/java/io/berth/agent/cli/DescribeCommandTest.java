package io.berth.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class DescribeCommandTest {
  private static Pod crashing(String namespace) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("web-node")
        .withNamespace(namespace)
        .addToAnnotations("kubernetes.io/config.source", "file")
        .endMetadata()
        .withNewSpec()
        .withNodeName("node")
        .addNewContainer()
        .withName("httpd")
        .withImage("busybox:1.36")
        .withCommand("sh", "-c", "exit 1")
        .addNewPort()
        .withContainerPort(8080)
        .endPort()
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .withPodIP("10.214.0.12")
        .withHostIP("192.168.1.5")
        .withStartTime("2026-11-24T09:57:30Z")
        .withQosClass("BestEffort")
        .addNewCondition()
        .withType("Ready")
        .withStatus("False")
        .endCondition()
        .withContainerStatuses(
            new ContainerStatusBuilder()
                .withName("httpd")
                .withContainerID("containerd://abc")
                .withRestartCount(3)
                .withReady(false)
                .withNewState()
                .withNewWaiting()
                .withReason("CrashLoopBackOff")
                .withMessage("back-off 40s restarting failed container=httpd")
                .endWaiting()
                .endState()
                .withNewLastState()
                .withNewTerminated()
                .withReason("Error")
                .withExitCode(1)
                .withStartedAt("2026-11-24T09:59:00Z")
                .withFinishedAt("2026-11-24T09:59:01Z")
                .endTerminated()
                .endLastState()
                .build())
        .endStatus()
        .build();
  }

  @Test
  void describeReadsLikeKubectlDescribePod() {
    String text = new DescribeCommand(System.out, Palette.NONE).describe(crashing("default"));
    assertThat(text)
        .startsWith(
            """
            Name:             web-node
            Namespace:        default
            Priority:         0
            Node:             node/192.168.1.5
            Start Time:       Tue, 24 Nov 2026 09:57:30 +0000
            Labels:           <none>
            Annotations:      kubernetes.io/config.source=file
            Status:           Running
            IP:               10.214.0.12
            Containers:
              httpd:
                Container ID:   containerd://abc
                Image:          busybox:1.36
            """)
        .contains(
            """
                Port:           8080/TCP
                Command:
                  sh
                  -c
                  exit 1
                State:          Waiting
                  Reason:       CrashLoopBackOff
                  Message:      back-off 40s restarting failed container=httpd
                Last State:     Terminated
                  Reason:       Error
                  Exit Code:    1
                  Started:      Tue, 24 Nov 2026 09:59:00 +0000
                  Finished:     Tue, 24 Nov 2026 09:59:01 +0000
                Ready:          False
                Restart Count:  3
            Conditions:
              Type   Status
              Ready  False
            QoS Class:        BestEffort
            Events:           <not kept locally: with --kubeconfig, kubectl describe pod shows them>
            """);
  }

  @Test
  void jsonIsThePodItself() {
    String json = new DescribeCommand(System.out, Palette.NONE).render(crashing("default"), "json");
    assertThat(json).contains("\"name\" : \"web-node\"", "\"restartCount\" : 3");
    assertThatThrownBy(
            () -> new DescribeCommand(System.out, Palette.NONE).render(crashing("x"), "yaml"))
        .hasMessage("option -o/--output must be text or json, got 'yaml'");
  }

  @Test
  void findsByNameAndNamespaceOrSaysWhatExists() {
    List<Pod> pods = List.of(crashing("default"), crashing("kube-system"));
    assertThat(DescribeCommand.find(pods, null, "web-node").getMetadata().getNamespace())
        .isEqualTo("default");
    assertThat(DescribeCommand.find(pods, "kube-system", "web-node").getMetadata().getNamespace())
        .isEqualTo("kube-system");
    assertThat(DescribeCommand.find(List.of(crashing("kube-system")), null, "web-node"))
        .isNotNull();
    assertThatThrownBy(() -> DescribeCommand.find(pods, null, "web"))
        .isInstanceOf(CliException.class)
        .hasMessage("pod \"web\" not found; berth's pods: default/web-node, kube-system/web-node");
  }
}
