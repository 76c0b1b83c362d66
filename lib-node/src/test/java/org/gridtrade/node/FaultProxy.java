package org.gridtrade.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fault-injecting TCP proxy on loopback, put between two nodes so that a test can cut, slow down
 * or corrupt their link without touching either process. Bytes pass through unchanged unless a
 * fault is set:
 *
 * <ul>
 *   <li>{@link #cut(boolean)}: closes every connection through the proxy and refuses new ones until
 *       it is healed (a partition or a disconnection);
 *   <li>{@link #delay(long)}: holds every chunk of bytes for a time before passing it on, keeping
 *       the order (a slow link);
 *   <li>{@link #duplicateNext(int)}: writes the next chunks twice. Under TLS a replayed record
 *       fails its authentication, so the receiver ends the connection and the nodes redial: this is
 *       what duplication at the transport level does to a mutually authenticated link.
 * </ul>
 *
 * <p>Each direction of a connection has a reader thread and a writer thread; all are daemons and
 * {@link #close()} ends them.
 */
final class FaultProxy implements AutoCloseable {
  private static final byte[] END = new byte[0];

  private final InetSocketAddress target;
  private final ServerSocket server;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger duplicate = new AtomicInteger();
  private final AtomicLong duplicated = new AtomicLong();
  private final AtomicLong connections = new AtomicLong();
  private volatile boolean cut;
  private volatile long delayMillis;
  private volatile boolean closed;

  FaultProxy(InetSocketAddress target) throws IOException {
    this.target = new InetSocketAddress(target.getHostString(), target.getPort());
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::acceptLoop, "proxy-accept-" + server.getLocalPort());
    t.setDaemon(true);
    t.start();
  }

  /** Where the proxy listens. */
  InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", server.getLocalPort());
  }

  /** Cuts the link (closing what is open) or heals it. */
  void cut(boolean cut) {
    this.cut = cut;
    if (cut) {
      for (Socket s : open) {
        closeQuietly(s);
      }
    }
  }

  /** Holds every chunk for {@code millis} before passing it on; 0 for none. */
  void delay(long millis) {
    this.delayMillis = millis;
  }

  /** Writes each of the next {@code chunks} chunks twice. */
  void duplicateNext(int chunks) {
    duplicate.set(chunks);
  }

  /** Chunks written twice so far. */
  long duplicated() {
    return duplicated.get();
  }

  /** Connections accepted and forwarded so far. */
  long connections() {
    return connections.get();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket in;
      try {
        in = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      if (cut) {
        closeQuietly(in);
        continue;
      }
      Socket out = new Socket();
      try {
        out.connect(target, 2_000);
      } catch (IOException e) {
        closeQuietly(in);
        closeQuietly(out);
        continue;
      }
      open.add(in);
      open.add(out);
      connections.incrementAndGet();
      pump(in, out);
      pump(out, in);
    }
  }

  // One direction: a reader queues chunks stamped with when they may go, a writer sends them then.
  private void pump(Socket from, Socket to) {
    BlockingQueue<Object[]> queue = new LinkedBlockingQueue<>();
    Thread reader =
        new Thread(
            () -> {
              byte[] buf = new byte[64 * 1024];
              try (InputStream is = from.getInputStream()) {
                int n;
                while (!cut && (n = is.read(buf)) > 0) {
                  queue.put(
                      new Object[] {System.nanoTime() + delayMillis * 1_000_000, copy(buf, n)});
                }
              } catch (IOException | InterruptedException e) {
                // the connection ended
              } finally {
                queue.add(new Object[] {0L, END});
              }
            },
            "proxy-read");
    Thread writer =
        new Thread(
            () -> {
              try (OutputStream os = to.getOutputStream()) {
                while (true) {
                  Object[] item = queue.take();
                  byte[] chunk = (byte[]) item[1];
                  if (chunk == END || cut) {
                    break;
                  }
                  long wait = (long) item[0] - System.nanoTime();
                  if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                  }
                  os.write(chunk);
                  if (duplicate.getAndUpdate(d -> Math.max(0, d - 1)) > 0) {
                    os.write(chunk);
                    duplicated.incrementAndGet();
                  }
                  os.flush();
                }
              } catch (IOException | InterruptedException e) {
                // the connection ended
              } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
              }
            },
            "proxy-write");
    reader.setDaemon(true);
    writer.setDaemon(true);
    reader.start();
    writer.start();
  }

  private static byte[] copy(byte[] buf, int n) {
    return Arrays.copyOf(buf, n);
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // already closed
    }
    cut(true);
  }
}
