package org.gridtrade.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Ledger#replaceHead}: a one-block reorganisation, validated, atomic, durable. */
class ReplaceHeadTest {
  private static final long T0 = 1_700_000_000_000L;
  private final List<KeyPair> keys = TestKit.keys(6);
  private final Genesis genesis = TestKit.genesis(keys, 10_000_000);

  @TempDir Path dir;

  private Transaction transfer(int from, long nonce, int to, long amount) {
    KeyPair k = keys.get(from);
    return new TransactionBody(
            TestKit.CHAIN,
            k.publicKey(),
            nonce,
            3,
            new Payload.Transfer(keys.get(to).address(), amount))
        .sign(k);
  }

  @Test
  void competitor_replacesTheHead_stateAsIfOnlyItWasAppended_andSurvivesAReopen() {
    Path file = dir.resolve("chain.mv");
    Block first;
    Block second;
    Block competitor;
    Hash rootOfCompetitorOnly;
    try (Ledger other = Ledger.open(genesis, BlockStores.inMemory())) {
      first = other.propose(List.of(transfer(0, 0, 1, 50)), keys.get(0).address(), T0).block();
      other.append(first);
      second =
          other.propose(List.of(transfer(1, 0, 2, 70)), keys.get(1).address(), T0 + 2_000).block();
      competitor =
          other
              .propose(
                  List.of(transfer(1, 0, 3, 90), transfer(2, 0, 3, 5)),
                  keys.get(2).address(),
                  T0 + 2_500)
              .block();
      other.append(competitor);
      rootOfCompetitorOnly = other.state().root();
    }
    try (Ledger ledger = Ledger.open(genesis, BlockStores.openDurable(file))) {
      assertThat(ledger.replaceHead(first).appended()).as("genesis is never replaced").isFalse();
      assertThat(ledger.append(first).appended()).isTrue();
      assertThat(ledger.append(second).appended()).isTrue();
      LedgerState afterSecond = ledger.state();
      assertThat(ledger.stateBeforeHead()).isPresent();

      // A competitor that is invalid on the parent changes nothing.
      Block wrongHeight = first;
      assertThat(ledger.replaceHead(wrongHeight).appended()).isFalse();
      byte[] bad = competitor.header().stateRoot().bytes().clone();
      bad[0] ^= 1;
      BlockHeader h = competitor.header();
      Block badRoot =
          new Block(
              new BlockHeader(
                  h.height(),
                  h.previousHash(),
                  h.transactionsRoot(),
                  h.transactionCount(),
                  Hash.of(bad),
                  h.timestamp(),
                  h.proposer(),
                  h.seal()),
              competitor.transactions());
      assertThat(ledger.replaceHead(badRoot).appended()).isFalse();
      assertThat(ledger.head()).isEqualTo(second.header());
      assertThat(ledger.state().root()).isEqualTo(afterSecond.root());

      BlockResult r = ledger.replaceHead(competitor);
      assertThat(r.appended()).as(r.toString()).isTrue();
      assertThat(ledger.height()).isEqualTo(2);
      assertThat(ledger.head()).isEqualTo(competitor.header());
      assertThat(ledger.state().root()).isEqualTo(rootOfCompetitorOnly);
      assertThat(ledger.block(2).orElseThrow().hash()).isEqualTo(competitor.hash());
      assertThat(ledger.verify().valid()).isTrue();
    }
    try (Ledger reopened = Ledger.open(genesis, BlockStores.openDurable(file))) {
      assertThat(reopened.head()).isEqualTo(competitor.header());
      assertThat(reopened.state().root()).isEqualTo(rootOfCompetitorOnly);
      assertThat(reopened.stateBeforeHead()).as("final after a reopen").isEmpty();
      assertThat(reopened.replaceHead(second).appended()).isFalse();
    }
  }
}
