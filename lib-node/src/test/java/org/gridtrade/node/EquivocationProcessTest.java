package org.gridtrade.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.gridtrade.node.NodeTests.await;
import static org.gridtrade.node.NodeTests.uri;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.gridtrade.consensus.Evidence;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Keystore;
import org.gridtrade.ledger.Ledger;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four Proof of Authority sealers over mutual TLS; one is a separate process that signs two blocks
 * at one height and shows the second to one peer only. The three honest nodes each slash
 * equivocation with their own authority key (the configuration's {@code slashing}): every honest
 * node learns the evidence, and the offender's stake is slashed exactly once, although several
 * nodes submit a slash for it.
 */
class EquivocationProcessTest {
  private static final long STAKE = 5_000_000;
  private static final long SLASH = 2_000_000;

  @TempDir Path dir;

  @Test
  void equivocatingNodeProcess_isSlashedExactlyOnce() throws Exception {
    SecureRandom random = new SecureRandom();
    LocalTestnet net = LocalTestnet.write(dir, 4, Duration.ofMillis(300), 1_000, "poa", random);
    List<KeyPair> users = NodeTests.users(dir, net);
    List<KeyPair> nodeKeys = new ArrayList<>();
    List<char[]> nodePasswords = new ArrayList<>();
    for (Path c : net.configs()) {
      char[] npw = Files.readString(c.resolveSibling("password")).strip().toCharArray();
      nodePasswords.add(npw);
      nodeKeys.add(Keystore.read(c.resolveSibling("node.key"), npw));
    }
    KeyPair offender = nodeKeys.get(3);
    // The genesis again, without modules (blocks are sealed when transactions wait), funding the
    // sealers, with one slashing authority per honest node.
    Genesis old = Genesis.decode(Files.readAllBytes(net.genesis()));
    Map<Address, Long> alloc = new TreeMap<>(old.allocations());
    nodeKeys.forEach(k -> alloc.put(k.address(), LocalTestnet.USER_FUNDS));
    Set<Address> authorities = new TreeSet<>(old.authorities());
    List<KeyPair> slashers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      KeyPair s = KeyPair.generate(random);
      slashers.add(s);
      authorities.add(s.address());
    }
    Files.write(
        net.genesis(),
        new Genesis(LocalTestnet.CHAIN_ID, alloc, authorities, old.timestamp()).encode());
    for (int i = 0; i < 3; i++) {
      Path c = net.configs().get(i);
      Path key = c.resolveSibling("slasher.key");
      Keystore.write(key, slashers.get(i), nodePasswords.get(i), Keystore.Params.fast(), random);
      NodeConfig.read(c).withSlashing(new NodeConfig.Slashing(key, SLASH)).write(c);
    }

    List<GridTradeNode> honest = new ArrayList<>();
    Process child = null;
    try {
      for (int i = 0; i < 3; i++) {
        honest.add(GridTradeNode.start(NodeConfig.read(net.configs().get(i))));
      }
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      child =
          new ProcessBuilder(
                  java,
                  "-Xmx256m",
                  "-cp",
                  System.getProperty("java.class.path"),
                  EquivocatorNodeMain.class.getName(),
                  net.configs().get(3).toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("offender.log").toFile())
              .start();
      Process p = child;
      await("the offender started", () -> log().contains("started") || !p.isAlive());
      assertThat(child.isAlive()).as(log()).isTrue();
      List<GridTradeClient> clients = honest.stream().map(n -> GridTradeClient.of(uri(n))).toList();
      await(
          "every honest node has three peers",
          () -> clients.stream().allMatch(c -> c.status().peers().size() == 3));

      NodeTests.submit(clients.get(0), offender, new Payload.Stake(STAKE));
      // Transfers keep blocks coming until the offender has sealed a block with its stake locked,
      // and has sent a second block at that height.
      int[] sent = {0};
      await(
          "the offender equivocated",
          () -> {
            transfer(clients, users, sent[0]++);
            return log().contains("equivocated at height") || !p.isAlive();
          });
      assertThat(child.isAlive()).as(log()).isTrue();
      await(
          "every honest node slashed the offender",
          () -> {
            transfer(clients, users, sent[0]++);
            try {
              return honest.stream()
                  .allMatch(
                      n ->
                          n.engine().ledger().state().account(offender.address()).stake()
                              == STAKE - SLASH);
            } catch (IllegalStateException rolledBack) {
              // A reorganisation on the node's thread rolled back the snapshot being read; as
              // Ledger.state() documents, a reader on another thread reads a fresh one again.
              return false;
            }
          });
      // More blocks: the other nodes' slashes for the same evidence must never apply.
      long after = clients.get(0).status().height() + 8;
      await(
          "eight blocks more on every honest node",
          () -> {
            transfer(clients, users, sent[0]++);
            return clients.stream().allMatch(c -> c.status().height() >= after);
          });
      await(
          "the honest nodes agree at height " + after,
          () -> {
            Set<Hash> at = new HashSet<>();
            honest.forEach(
                n -> at.add(n.engine().ledger().block(after).map(Block::hash).orElse(null)));
            return at.size() == 1 && !at.contains(null);
          });

      long height = Math.min(after, honest.get(0).engine().ledger().height());
      for (GridTradeNode n : honest) {
        Ledger l = n.engine().ledger();
        List<Evidence> against =
            n.engine().evidence().stream()
                .filter(e -> e.first().proposer().equals(offender.address()))
                .toList();
        assertThat(against).as("evidence at %s", n.engine().id()).hasSize(1);
        List<Payload.Slash> slashes = new ArrayList<>();
        for (long h = 1; h <= height; h++) {
          for (Transaction t : l.block(h).orElseThrow().transactions()) {
            if (t.body().payload() instanceof Payload.Slash s) {
              slashes.add(s);
            }
          }
        }
        assertThat(slashes)
            .as("slashes on the chain of %s", n.engine().id())
            .containsExactly(new Payload.Slash(offender.address(), SLASH, against.get(0).id()));
        assertThat(l.state().account(offender.address()).stake()).isEqualTo(STAKE - SLASH);
        assertThat(l.state().isEvidenceUsed(against.get(0).id())).isTrue();
        long authorityTransactions =
            slashers.stream().mapToLong(k -> l.state().account(k.address()).nonce()).sum();
        assertThat(authorityTransactions).as("one slashing transaction in all").isEqualTo(1);
        assertThat(l.verify().valid()).isTrue();
      }
    } finally {
      NodeTests.stop(child);
      honest.forEach(GridTradeNode::close);
    }
  }

  /** Submits one transfer (no waiting), so that the sealers have something to seal. */
  private static void transfer(List<GridTradeClient> clients, List<KeyPair> users, int i) {
    KeyPair u = users.get(i % users.size());
    GridTradeClient c = clients.get(i % clients.size());
    try {
      long nonce = c.account(u.address()).pendingNonce();
      Transaction tx =
          new TransactionBody(
                  LocalTestnet.CHAIN_ID,
                  u.publicKey(),
                  nonce,
                  10,
                  new Payload.Transfer(users.get((i + 1) % users.size()).address(), 1))
              .sign(u);
      c.submit(tx);
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // a rejected or failed submission only means one block fewer
    }
  }

  private String log() {
    return NodeTests.read(dir.resolve("offender.log"));
  }
}
