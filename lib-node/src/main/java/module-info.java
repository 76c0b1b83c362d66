/**
 * GridTrade node: nodes as separate processes over the network. A Netty transport with mutual TLS
 * 1.3 in which each node is identified by its Ed25519 key, a versioned, length-limited wire codec
 * for every consensus message, the node runtime with its client API over HTTP and JSON, and a Java
 * client.
 *
 * <p>API: {@link org.gridtrade.node}.
 */
module org.gridtrade.node {
  requires transitive org.gridtrade.consensus;
  requires transitive org.gridtrade.market;
  requires io.netty.handler;
  requires io.netty.transport;
  requires io.netty.buffer;
  requires io.netty.codec;
  requires io.netty.codec.http;
  requires com.fasterxml.jackson.databind;
  requires java.net.http;
  requires io.prometheus.metrics.core;
  requires io.prometheus.metrics.model;
  requires io.prometheus.writer.text;
  requires io.netty.common;
  requires org.bouncycastle.pkix;
  requires org.bouncycastle.provider;
  requires org.slf4j;
  requires com.sun.jna;

  exports org.gridtrade.node;
}
