package io.berth.agent.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.berth.agent.kuberuntime.PodDefaults;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodValidatorTest {
  private static final ObjectMapper YAML = new YAMLMapper();
  private final PodValidator validator = new PodValidator();

  /** Parses a pod; {@code spec} is the YAML under {@code spec:} indented by two spaces. */
  private static Pod pod(String meta, String spec) {
    String text =
        "apiVersion: v1\nkind: Pod\nmetadata:\n" + meta.indent(2) + "spec:\n" + spec.indent(2);
    try {
      return PodDefaults.apply(YAML.readValue(text, Pod.class));
    } catch (Exception e) {
      throw new AssertionError("bad test pod:\n" + text, e);
    }
  }

  private static Pod spec(String spec) {
    return pod("name: web-node1\nnamespace: default", spec);
  }

  private static final String ONE_CONTAINER = "containers:\n- name: app\n  image: busybox\n";

  private List<String> errors(Pod pod) {
    return validator.validate(pod).stream().map(FieldError::toString).toList();
  }

  @Test
  void validPodHasNoErrors() {
    assertThat(errors(spec(ONE_CONTAINER))).isEmpty();
  }

  @Test
  void containerPortOutOfRange() {
    Pod p =
        spec(
            """
            containers:
            - name: a
              image: busybox
            - name: b
              image: busybox
              ports:
              - containerPort: 70000
            """);
    assertThat(errors(p))
        .containsExactly(
            "spec.containers[1].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive");
  }

  @Test
  void hostPortOutOfRangeAndHostNetworkMismatch() {
    Pod p =
        spec(
            """
            hostNetwork: true
            containers:
            - name: a
              image: busybox
              ports:
              - containerPort: 80
                hostPort: 81
            """);
    assertThat(errors(p))
        .containsExactly(
            "spec.containers[0].ports[0].hostPort: Invalid value: 81: must match `containerPort` when `hostNetwork` is true");
  }

  @Test
  void hostNetworkDefaultsHostPortToContainerPort() {
    Pod p =
        spec(
            "hostNetwork: true\ncontainers:\n- name: a\n  image: busybox\n  ports:\n  - containerPort: 80\n");
    assertThat(errors(p)).isEmpty();
    assertThat(p.getSpec().getContainers().get(0).getPorts().get(0).getHostPort()).isEqualTo(80);
  }

  @Test
  void duplicateHostPortAcrossContainers() {
    Pod p =
        spec(
            """
            containers:
            - name: a
              image: busybox
              ports: [{containerPort: 80, hostPort: 8080}]
            - name: b
              image: busybox
              ports: [{containerPort: 81, hostPort: 8080}]
            """);
    assertThat(errors(p))
        .containsExactly("spec.containers[1].ports[0].hostPort: Duplicate value: \"8080/TCP\"");
  }

  @Test
  void portNameRules() {
    Pod p =
        spec(
            """
            containers:
            - name: a
              image: busybox
              ports:
              - {name: http, containerPort: 80}
              - {name: http, containerPort: 81}
              - {name: averyveryverylongname, containerPort: 82}
              - {name: "123", containerPort: 83}
            """);
    assertThat(errors(p))
        .containsExactly(
            "spec.containers[0].ports[1].name: Duplicate value: \"http\"",
            "spec.containers[0].ports[2].name: Invalid value: \"averyveryverylongname\": must be no more than 15 characters",
            "spec.containers[0].ports[3].name: Invalid value: \"123\": must contain at least one letter (a-z)");
  }

  @Test
  void protocolMustBeSupported() {
    Pod p =
        spec(
            "containers:\n- name: a\n  image: busybox\n  ports:\n  - {containerPort: 80, protocol: ICMP}\n");
    assertThat(errors(p))
        .containsExactly(
            "spec.containers[0].ports[0].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\"");
  }

  @Test
  void containerNamesAreLabelsAndUniqueAcrossInitAndApp() {
    Pod p =
        spec(
            """
            initContainers:
            - name: setup
              image: busybox
            containers:
            - name: setup
              image: busybox
            - name: Bad_Name
              image: busybox
            - image: busybox
            """);
    assertThat(errors(p))
        .containsExactly(
            "spec.containers[0].name: Duplicate value: \"setup\"",
            "spec.containers[1].name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
            "spec.containers[2].name: Required value");
  }

  @Test
  void imageIsRequired() {
    assertThat(errors(spec("containers:\n- name: a\n")))
        .containsExactly("spec.containers[0].image: Required value");
  }

  @Test
  void containersAreRequired() {
    assertThat(errors(spec("containers: []\n"))).containsExactly("spec.containers: Required value");
  }

  @Test
  void resourcesMustParseAndRequestsNotExceedLimits() {
    Pod p =
        spec(
            """
            containers:
            - name: a
              image: busybox
              resources:
                requests: {cpu: "2", memory: 1Gi}
                limits: {cpu: "1", memory: lots}
            """);
    assertThat(errors(p))
        .containsExactly(
            "spec.containers[0].resources.limits[memory]: Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
            "spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal to cpu limit of 1");
  }

  @Test
  void negativeQuantity() {
    Pod p =
        spec("containers:\n- name: a\n  image: busybox\n  resources:\n    limits: {cpu: \"-1\"}\n");
    // Defaulting copies a limit into an unset request (SetDefaults_Pod), so the API server reports
    // the negative quantity under both, as here.
    assertThat(errors(p))
        .containsExactly(
            "spec.containers[0].resources.limits[cpu]: Invalid value: \"-1\": must be greater than or equal to 0",
            "spec.containers[0].resources.requests[cpu]: Invalid value: \"-1\": must be greater than or equal to 0");
  }

  @Test
  void restartPolicyAndDnsPolicyValues() {
    Pod p = spec(ONE_CONTAINER + "restartPolicy: Sometimes\ndnsPolicy: Google\n");
    assertThat(errors(p))
        .containsExactly(
            "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"",
            "spec.dnsPolicy: Unsupported value: \"Google\": supported values: \"ClusterFirstWithHostNet\", \"ClusterFirst\", \"Default\", \"None\"");
  }

  @Test
  void initContainerRestartPolicyOnlyAlways() {
    Pod p =
        spec(
            """
            initContainers:
            - name: sidecar
              image: envoy
              restartPolicy: Always
              readinessProbe: {tcpSocket: {port: 80}}
            - name: once
              image: busybox
              restartPolicy: Never
            containers:
            - name: app
              image: busybox
              restartPolicy: Always
            """);
    assertThat(errors(p))
        .containsExactly(
            "spec.initContainers[1].restartPolicy: Unsupported value: \"Never\": supported values: \"Always\"",
            "spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers");
  }

  @Test
  void regularInitContainerMayNotHaveProbes() {
    Pod p =
        spec(
            "initContainers:\n- name: i\n  image: busybox\n  livenessProbe: {exec: {command: [true]}}\n"
                + ONE_CONTAINER);
    assertThat(errors(p))
        .containsExactly(
            "spec.initContainers[0].livenessProbe: Forbidden: may not be set for init containers without restartPolicy=Always");
  }

  @Test
  void probeRules() {
    Pod p =
        spec(
            """
            containers:
            - name: a
              image: busybox
              livenessProbe:
                exec: {command: ["true"]}
                tcpSocket: {port: 80}
                successThreshold: 2
                periodSeconds: -1
              readinessProbe:
                periodSeconds: 3
              startupProbe:
                httpGet: {port: 0}
                timeoutSeconds: -5
            """);
    assertThat(errors(p))
        .containsExactly(
            "spec.containers[0].livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type",
            "spec.containers[0].livenessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0",
            "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1",
            "spec.containers[0].readinessProbe: Required value: must specify a handler type",
            "spec.containers[0].startupProbe.httpGet.port: Invalid value: 0: must be between 1 and 65535, inclusive",
            "spec.containers[0].startupProbe.timeoutSeconds: Invalid value: -5: must be greater than or equal to 0");
  }

  @Test
  void probeZeroValuesAreDefaulted() {
    Pod p =
        spec(
            "containers:\n- name: a\n  image: busybox\n  livenessProbe:\n    exec: {command: [x]}\n    periodSeconds: 0\n    timeoutSeconds: 0\n");
    assertThat(errors(p)).isEmpty();
    assertThat(p.getSpec().getContainers().get(0).getLivenessProbe().getPeriodSeconds())
        .isEqualTo(10);
    assertThat(p.getSpec().getContainers().get(0).getLivenessProbe().getTimeoutSeconds())
        .isEqualTo(1);
  }

  @Test
  void terminationGracePeriodNonNegative() {
    assertThat(errors(spec(ONE_CONTAINER + "terminationGracePeriodSeconds: -1\n")))
        .containsExactly(
            "spec.terminationGracePeriodSeconds: Invalid value: -1: must be greater than or equal to 0");
  }

  @Test
  void volumesUniqueOneSourceAndMountsResolve() {
    Pod p =
        spec(
            """
            volumes:
            - name: data
              emptyDir: {}
            - name: data
              hostPath: {path: /tmp}
            - name: both
              hostPath: {path: /tmp}
              emptyDir: {}
            - name: nothing
            containers:
            - name: a
              image: busybox
              volumeMounts:
              - {name: data, mountPath: /d}
              - {name: missing, mountPath: /m}
              - {name: both, mountPath: /d}
            """);
    assertThat(errors(p))
        .containsExactly(
            "spec.volumes[1].name: Duplicate value: \"data\"",
            "spec.volumes[2].emptyDir: Forbidden: may not specify more than 1 volume type",
            "spec.containers[0].volumeMounts[1].name: Not found: \"missing\"",
            "spec.containers[0].volumeMounts[2].mountPath: Invalid value: \"/d\": must be unique");
    assertThat(p.getSpec().getVolumes().get(3).getEmptyDir())
        .as("a volume without a source defaults to emptyDir, as in the API")
        .isNotNull();
  }

  @Test
  void envVarNames() {
    Pod p =
        spec(
            "containers:\n- name: a\n  image: busybox\n  env:\n  - {name: 'A=B', value: x}\n  - {name: '1.ok-in-relaxed', value: y}\n  - {value: z}\n");
    assertThat(errors(p))
        .containsExactly(
            "spec.containers[0].env[0].name: Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='",
            "spec.containers[0].env[2].name: Required value");
  }

  @Test
  void metadataNameNamespaceLabelsAnnotations() {
    Pod p =
        pod(
            """
            name: Web_1
            namespace: Kube.System
            labels: {"app/x/y": ok, tier: "-bad"}
            annotations: {"Example.com/Ok": yes, "": empty}
            """,
            ONE_CONTAINER);
    assertThat(errors(p))
        .containsExactly(
            "metadata.name: Invalid value: \"Web_1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
            "metadata.namespace: Invalid value: \"Kube.System\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
            "metadata.labels: Invalid value: \"app/x/y\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
            "metadata.labels: Invalid value: \"-bad\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
            "metadata.annotations: Invalid value: \"\": name part must be non-empty",
            "metadata.annotations: Invalid value: \"\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
  }

  @Test
  void totalAnnotationSize() {
    String big = "x".repeat(PodValidator.TOTAL_ANNOTATION_SIZE_LIMIT);
    Pod p = pod("name: web\nnamespace: default\nannotations: {a: " + big + "}", ONE_CONTAINER);
    assertThat(errors(p))
        .containsExactly("metadata.annotations: Too long: may not be more than 262144 bytes");
  }

  @Test
  void nameTooLong() {
    String name = "a".repeat(254);
    assertThat(errors(pod("name: " + name + "\nnamespace: default", ONE_CONTAINER)))
        .containsExactly(
            "metadata.name: Invalid value: \"" + name + "\": must be no more than 253 characters");
  }

  @Test
  void seccompProfilesFollowTheApisRules() {
    Pod p =
        spec(
            """
            securityContext:
              seccompProfile: {type: Localhost}
            containers:
            - name: a
              image: busybox
              securityContext:
                seccompProfile: {type: Localhost, localhostProfile: ../etc/shadow}
            - name: b
              image: busybox
              securityContext:
                seccompProfile: {type: RuntimeDefault, localhostProfile: x.json}
            - name: c
              image: busybox
              securityContext:
                seccompProfile: {type: Strict}
                procMount: Full
            - name: d
              image: busybox
              securityContext:
                seccompProfile: {type: Localhost, localhostProfile: /abs.json}
            - name: ok
              image: busybox
              securityContext:
                seccompProfile: {type: Localhost, localhostProfile: profiles/deny-mkdir.json}
                procMount: Unmasked
            """);
    assertThat(errors(p))
        .containsExactlyInAnyOrder(
            "spec.containers[0].securityContext.seccompProfile.localhostProfile: Invalid value:"
                + " \"../etc/shadow\": must not contain '..'",
            "spec.containers[1].securityContext.seccompProfile.localhostProfile: Invalid value:"
                + " \"x.json\": can only be set when type is Localhost",
            "spec.containers[2].securityContext.seccompProfile.type: Unsupported value:"
                + " \"Strict\": supported values: \"Localhost\", \"RuntimeDefault\","
                + " \"Unconfined\"",
            "spec.containers[2].securityContext.procMount: Unsupported value: \"Full\":"
                + " supported values: \"Default\", \"Unmasked\"",
            "spec.containers[3].securityContext.seccompProfile.localhostProfile: Invalid value:"
                + " \"/abs.json\": must be a relative path",
            "spec.securityContext.seccompProfile.localhostProfile: Required value: must be set"
                + " when seccomp type is Localhost");
  }
}
