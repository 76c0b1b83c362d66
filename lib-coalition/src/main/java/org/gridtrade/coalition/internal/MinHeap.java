package org.gridtrade.coalition.internal;

import java.util.Arrays;

/** A binary min-heap of (key, node) pairs with lazy deletion; ties break by node. */
final class MinHeap {
  private double[] keys;
  private int[] nodes;
  private int size;

  MinHeap(int capacity) {
    keys = new double[Math.max(4, capacity)];
    nodes = new int[keys.length];
  }

  void clear() {
    size = 0;
  }

  boolean isEmpty() {
    return size == 0;
  }

  double minKey() {
    return keys[0];
  }

  int minNode() {
    return nodes[0];
  }

  void push(int node, double key) {
    if (size == keys.length) {
      keys = Arrays.copyOf(keys, 2 * size);
      nodes = Arrays.copyOf(nodes, 2 * size);
    }
    int k = size++;
    while (k > 0) {
      int p = (k - 1) >>> 1;
      if (keys[p] < key || (keys[p] == key && nodes[p] <= node)) {
        break;
      }
      keys[k] = keys[p];
      nodes[k] = nodes[p];
      k = p;
    }
    keys[k] = key;
    nodes[k] = node;
  }

  int pop() {
    int top = nodes[0];
    size--;
    if (size > 0) {
      double key = keys[size];
      int node = nodes[size];
      int k = 0;
      while (true) {
        int c = 2 * k + 1;
        if (c >= size) {
          break;
        }
        if (c + 1 < size
            && (keys[c + 1] < keys[c] || (keys[c + 1] == keys[c] && nodes[c + 1] < nodes[c]))) {
          c++;
        }
        if (key < keys[c] || (key == keys[c] && node <= nodes[c])) {
          break;
        }
        keys[k] = keys[c];
        nodes[k] = nodes[c];
        k = c;
      }
      keys[k] = key;
      nodes[k] = node;
    }
    return top;
  }
}
