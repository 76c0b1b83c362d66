package org.gridtrade.node.internal;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.DoubleSupplier;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.Transaction;

/**
 * A node's metrics in a registry of its own, exposed in the Prometheus text format: height, peers,
 * mempool, blocks and committed transactions, the interval between blocks, the latency from a
 * transaction's submission through the API to its block, rejections by reason, and bytes on the
 * wire. Thread-safe.
 */
public final class NodeMetrics {
  private static final int TRACKED_SUBMISSIONS = 200_000;

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final ExpositionFormatWriter writer =
      ExpositionFormats.init().getPrometheusTextFormatWriter();
  private final Counter blocks;
  private final Counter transactions;
  private final Histogram blockInterval;
  private final Histogram commitLatency;
  private final Counter rejectedTransactions;
  private final Counter rejectedBlocks;
  private final Map<Hash, Long> submittedAt =
      java.util.Collections.synchronizedMap(
          new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Hash, Long> e) {
              return size() > TRACKED_SUBMISSIONS;
            }
          });
  private volatile long lastBlockTime = -1;

  /**
   * Creates the metrics.
   *
   * @param height the node's height
   * @param peers the connected peers
   * @param mempoolSize pending transactions
   * @param mempoolBytes bytes charged for them
   * @param bytesIn frame bytes received
   * @param bytesOut frame bytes sent
   * @param eventStreams event streams open
   */
  public NodeMetrics(
      DoubleSupplier height,
      DoubleSupplier peers,
      DoubleSupplier mempoolSize,
      DoubleSupplier mempoolBytes,
      DoubleSupplier bytesIn,
      DoubleSupplier bytesOut,
      DoubleSupplier eventStreams) {
    gauge("gridtrade_event_streams", "Server-sent event streams open.", eventStreams);
    gauge("gridtrade_height", "Height of the node's head block.", height);
    gauge("gridtrade_peers", "Peers connected now.", peers);
    gauge("gridtrade_mempool_transactions", "Transactions pending in the mempool.", mempoolSize);
    gauge("gridtrade_mempool_bytes", "Bytes charged for the pending transactions.", mempoolBytes);
    CounterWithCallback.builder()
        .name("gridtrade_p2p_received_bytes")
        .help("Frame bytes received from peers.")
        .callback(cb -> cb.call(bytesIn.getAsDouble()))
        .register(registry);
    CounterWithCallback.builder()
        .name("gridtrade_p2p_sent_bytes")
        .help("Frame bytes sent to peers.")
        .callback(cb -> cb.call(bytesOut.getAsDouble()))
        .register(registry);
    blocks =
        Counter.builder()
            .name("gridtrade_blocks")
            .help("Blocks appended (sealed here or received).")
            .register(registry);
    transactions =
        Counter.builder()
            .name("gridtrade_transactions_committed")
            .help("Transactions in appended blocks; its rate is the throughput.")
            .register(registry);
    blockInterval =
        Histogram.builder()
            .name("gridtrade_block_interval_seconds")
            .help("Time between consecutive blocks' timestamps.")
            .classicUpperBounds(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60)
            .register(registry);
    commitLatency =
        Histogram.builder()
            .name("gridtrade_commit_latency_seconds")
            .help("From a transaction's submission through this node's API to its block here.")
            .classicUpperBounds(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30)
            .register(registry);
    rejectedTransactions =
        Counter.builder()
            .name("gridtrade_rejected_transactions")
            .help("Transactions refused by the API, by reason.")
            .labelNames("reason")
            .register(registry);
    rejectedBlocks =
        Counter.builder()
            .name("gridtrade_rejected_blocks")
            .help("Blocks from peers refused, by kind.")
            .labelNames("kind")
            .register(registry);
  }

  private void gauge(String name, String help, DoubleSupplier value) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .callback(cb -> cb.call(value.getAsDouble()))
        .register(registry);
  }

  /** A transaction accepted through the API now. */
  public void submitted(Hash id) {
    submittedAt.put(id, System.nanoTime());
  }

  /** A transaction refused through the API. */
  public void rejected(String reason) {
    rejectedTransactions.labelValues(reason).inc();
  }

  /** A block from a peer refused. */
  public void rejectedBlock(String kind) {
    rejectedBlocks.labelValues(kind).inc();
  }

  /** A block appended. */
  public void appended(Block block) {
    blocks.inc();
    transactions.inc(block.transactions().size());
    long t = block.header().timestamp();
    long last = lastBlockTime;
    if (last >= 0 && t >= last) {
      blockInterval.observe((t - last) / 1000.0);
    }
    lastBlockTime = t;
    long now = System.nanoTime();
    for (Transaction tx : block.transactions()) {
      Long at = submittedAt.remove(tx.id());
      if (at != null) {
        commitLatency.observe((now - at) / 1e9);
      }
    }
  }

  /** The metrics in the Prometheus text format. */
  public byte[] scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      writer.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** The content type of {@link #scrape()}. */
  public String contentType() {
    return writer.getContentType();
  }
}
