package io.berth.agent.proxy;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.List;

/** Records handler calls as short strings, e.g. {@code add Service default/web}. */
final class RecordingHandler implements ProxyEventHandler {
  final List<String> events = new ArrayList<>();
  final List<Service> services = new ArrayList<>();

  List<String> take() {
    List<String> out = List.copyOf(events);
    events.clear();
    return out;
  }

  private static String id(io.fabric8.kubernetes.api.model.HasMetadata o) {
    return o.getKind() + " " + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
  }

  @Override
  public void onServiceAdd(Service s) {
    events.add("add " + id(s));
    services.add(s);
  }

  @Override
  public void onServiceUpdate(Service previous, Service current) {
    events.add("update " + id(current));
    services.add(current);
  }

  @Override
  public void onServiceDelete(Service s) {
    events.add("delete " + id(s));
  }

  @Override
  public void onServicesSynced() {
    events.add("services synced");
  }

  @Override
  public void onEndpointSliceAdd(EndpointSlice s) {
    events.add("add " + id(s));
  }

  @Override
  public void onEndpointSliceUpdate(EndpointSlice previous, EndpointSlice current) {
    events.add("update " + id(current));
  }

  @Override
  public void onEndpointSliceDelete(EndpointSlice s) {
    events.add("delete " + id(s));
  }

  @Override
  public void onEndpointSlicesSynced() {
    events.add("endpointslices synced");
  }
}
