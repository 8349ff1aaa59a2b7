package io.berth.agent.kubeapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class InformerCacheTest {
  private final InformerCache<Pod> cache = new InformerCache<>();

  private static Pod pod(String name, String uid, String rv) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace("default")
        .withName(name)
        .withUid(uid)
        .withResourceVersion(rv)
        .endMetadata()
        .build();
  }

  @Test
  void replayedWatchEventsAreNotEmittedTwice() {
    assertThat(cache.apply("ADDED", pod("a", "u1", "5"))).hasSize(1);
    assertThat(cache.apply("ADDED", pod("a", "u1", "5"))).isEmpty();
    assertThat(cache.apply("MODIFIED", pod("a", "u1", "6")))
        .singleElement()
        .isInstanceOf(InformerEvent.Updated.class);
    assertThat(cache.apply("MODIFIED", pod("a", "u1", "6"))).isEmpty();
    assertThat(cache.apply("DELETED", pod("a", "u1", "7")))
        .singleElement()
        .isInstanceOf(InformerEvent.Deleted.class);
    assertThat(cache.apply("DELETED", pod("a", "u1", "7"))).isEmpty();
  }

  @Test
  void aRelistEmitsOnlyTheRealDifferences() {
    cache.replace(
        List.of(
            pod("same", "u1", "1"),
            pod("changed", "u2", "2"),
            pod("gone", "u3", "3"),
            pod("recreated", "u4", "4")));
    List<InformerEvent<Pod>> events =
        cache.replace(
            List.of(
                pod("same", "u1", "1"),
                pod("changed", "u2", "9"),
                pod("recreated", "u5", "10"),
                pod("new", "u6", "11")));
    assertThat(events)
        .map(InformerCacheTest::describe)
        .containsExactly(
            "Updated changed 2->9",
            "Deleted recreated 4",
            "Added recreated 10",
            "Added new 11",
            "Deleted gone 3");
    assertThat(cache.list())
        .map(p -> p.getMetadata().getName())
        .containsExactlyInAnyOrder("same", "changed", "recreated", "new");
  }

  @Test
  void resyncRepeatsEveryObjectAsAnUpdateToItself() {
    cache.replace(List.of(pod("a", "u1", "1"), pod("b", "u2", "2")));
    assertThat(cache.resync())
        .hasSize(2)
        .allSatisfy(
            e -> {
              InformerEvent.Updated<Pod> u = (InformerEvent.Updated<Pod>) e;
              assertThat(u.old()).isSameAs(u.current());
            });
  }

  private static String describe(InformerEvent<Pod> e) {
    return switch (e) {
      case InformerEvent.Added<Pod> a ->
          "Added "
              + a.object().getMetadata().getName()
              + " "
              + a.object().getMetadata().getResourceVersion();
      case InformerEvent.Updated<Pod> u ->
          "Updated "
              + u.current().getMetadata().getName()
              + " "
              + u.old().getMetadata().getResourceVersion()
              + "->"
              + u.current().getMetadata().getResourceVersion();
      case InformerEvent.Deleted<Pod> d ->
          "Deleted "
              + d.last().getMetadata().getName()
              + " "
              + d.last().getMetadata().getResourceVersion();
    };
  }
}
