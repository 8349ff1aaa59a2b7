package io.berth.tests.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One committed change in the store's history, as etcd keeps it: the new resourceVersion, the
 * object after the change (for DELETED the last state with the deletion's resourceVersion) and the
 * object before it (null for ADDED).
 */
record Change(
    long resourceVersion, String type, ObjectKey key, ObjectNode object, ObjectNode previous) {}
