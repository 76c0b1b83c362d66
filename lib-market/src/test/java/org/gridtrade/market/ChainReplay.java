package org.gridtrade.market;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.gridtrade.ledger.Block;
import org.gridtrade.ledger.BlockResult;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.DecodeException;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Ledger;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.spi.SealVerifier;

/**
 * A seeded history on a chain that runs every market module: three double-auction markets (one per
 * clearing rule; orders, cancels, refused bids), a sealed-bid reverse auction (commitments,
 * reveals, a forfeit) and a demand-response round (opened, escrowed, certified with the off-chain
 * auction's certificate, settled cell by cell with signed requests and tokens, closed). {@link
 * #build} makes the history and records its blocks; {@link #replay} appends recorded blocks to a
 * fresh ledger, which executes every transaction and end-of-block hook again and checks each
 * header's state root. Run in another JVM ({@link #main}), the replay must print the same lines.
 * The certificate is computed off chain in floating point, once, by {@link #build}: what the other
 * JVMs check is the chain's own execution of the same bytes.
 */
public final class ChainReplay {
  static final int USERS = 20;
  static final long EACH = 1_000_000_000_000L;

  private ChainReplay() {}

  /** The recorded blocks and, per block, {@code height root}; the last lines name the results. */
  record History(List<byte[]> blocks, List<String> lines) {}

  static MarketChain chain() {
    return new MarketChain(USERS, EACH, MarketModules.all());
  }

  /**
   * Makes the history.
   *
   * @param seed its seed
   * @return the blocks and lines
   */
  static History build(long seed) {
    Random rnd = new Random(seed);
    List<String> lines = new ArrayList<>();
    List<byte[]> blocks = new ArrayList<>();
    try (MarketChain c = chain()) {
      Recorder r = new Recorder(c, blocks, lines);
      // Double auctions: keys 1..11 trade in three markets.
      List<Transaction> open = new ArrayList<>();
      long[] gates = {5, 6, 8};
      for (int m = 0; m < 3; m++) {
        open.add(
            c.tx(
                c.operator(),
                MarketCalls.open(
                    c.spec(ClearingRule.values()[m], rnd.nextInt(1_000_001), gates[m]))));
      }
      r.block(open);
      int[] placed = new int[3];
      while (c.ledger.height() < 9) {
        List<Transaction> txs = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
          KeyPair k = c.keys.get(1 + rnd.nextInt(11));
          int m = rnd.nextInt(3);
          long price = 40_000 + 1_000L * rnd.nextInt(60);
          long quantity = 1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 90_000 : 3_000);
          int kind = rnd.nextInt(10);
          if (kind == 0 && placed[m] > 0) {
            txs.add(c.tx(k, MarketCalls.cancel(m, rnd.nextInt(placed[m]))));
          } else if (kind == 1) {
            // a bid on a market whose gate has passed: refused, changes nothing
            txs.add(c.tx(k, MarketCalls.bid(m, price, quantity)));
          } else {
            txs.add(
                c.tx(
                    k,
                    kind < 6
                        ? MarketCalls.bid(m, price, quantity)
                        : MarketCalls.ask(m, price, quantity)));
          }
        }
        r.block(txs);
        for (int m = 0; m < 3; m++) {
          placed[m] = Markets.market(c.state(), m).orElseThrow().orderCount();
        }
      }
      StringBuilder traded = new StringBuilder("trades");
      for (int m = 0; m < 3; m++) {
        traded.append(' ').append(Markets.trades(c.state(), m).size());
      }

      // A sealed-bid reverse auction: keys 12..16 commit, four reveal, one forfeits.
      long h = c.ledger.height();
      r.block(
          List.of(
              c.tx(
                  c.operator(),
                  SealedBidAuction.open(
                      new SealedAuctionSpec(true, 150_000, 20_000, 5_000, h + 3, h + 4)))));
      long[] price = new long[5];
      byte[][] salt = new byte[5][];
      List<Transaction> commits = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        KeyPair k = c.keys.get(12 + i);
        price[i] = 60_000 + 10_000L * rnd.nextInt(8);
        salt[i] = new byte[24];
        rnd.nextBytes(salt[i]);
        commits.add(
            c.tx(
                k,
                SealedBidAuction.commit(
                    0, SealedBidAuction.commitment(0, k.address(), price[i], salt[i]))));
      }
      r.block(commits);
      c.advanceTo(h + 3); // recorded below, with the next block
      r.catchUp();
      List<Transaction> reveals = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        reveals.add(c.tx(c.keys.get(12 + i), SealedBidAuction.reveal(0, price[i], salt[i])));
      }
      r.block(reveals);
      c.advanceTo(h + 6);
      r.catchUp();
      SealedAuction auction = SealedBidAuction.auction(c.state(), 0).orElseThrow();

      // A demand-response round: EVs are keys 1..3, SPs keys 17..18.
      h = c.ledger.height();
      List<KeyPair> evs = c.keys.subList(1, 4);
      List<KeyPair> sps = c.keys.subList(17, 19);
      DrTestMarkets.Market mk =
          DrTestMarkets.random(
              rnd,
              evs.stream().map(KeyPair::address).toList(),
              sps.stream().map(KeyPair::address).toList(),
              h + 4,
              h + 10);
      r.block(List.of(c.tx(c.operator(), DrCalls.open(mk.spec()))));
      r.block(evs.stream().map(k -> c.tx(k, DrCalls.escrow(0))).toList());
      DrTestMarkets.Cert cert = DrTestMarkets.certificate(mk);
      if (r.block(List.of(c.tx(c.operator(), DrCalls.certify(0, cert.x(), cert.u(), cert.alpha()))))
          != 1) {
        throw new IllegalStateException("the certificate was refused");
      }
      DrRound round = DemandResponseMarket.round(c.state(), 0).orElseThrow();
      // the SPs settle some cells, one per block, each with a fresh request and token
      int settled = 0;
      int tried = 0;
      for (int i = 0; i < evs.size(); i++) {
        for (int j = 0; j < sps.size(); j++) {
          if (round.certificate().isPresent()
              && round.certificate().get().cellPaymentsMicro().get(i).get(j) > 0
              && rnd.nextInt(3) > 0
              && c.ledger.height() < h + 9) {
            long now = MarketChain.T0 + (c.ledger.height() + 1) * 1_000L;
            tried++;
            settled +=
                r.block(
                    List.of(
                        c.tx(
                            sps.get(j),
                            DrCalls.settle(
                                0,
                                j,
                                DemandResponseMarket.settlement(
                                    c.state(),
                                    MarketChain.CHAIN,
                                    0,
                                    i,
                                    j,
                                    now + 60_000,
                                    now - 1,
                                    sps.get(j),
                                    evs.get(i))))));
          }
        }
      }
      c.advanceTo(h + 11);
      r.catchUp();
      DrRound closed = DemandResponseMarket.round(c.state(), 0).orElseThrow();

      lines.add(traded.toString());
      lines.add(
          "auction "
              + (auction.outcome().isPresent() ? "CLOSED " : "OPEN ")
              + auction.bidCount()
              + " forfeited "
              + auction.outcome().map(o -> o.forfeitedMicro()).orElse(-1L));
      lines.add("dr " + closed.status() + " " + settled + " of " + tried);
    }
    return new History(blocks, lines);
  }

  /**
   * Appends recorded blocks to a fresh ledger with the same genesis and modules.
   *
   * @param blocks the blocks' encodings, from height 1
   * @return {@code height root} per block
   * @throws DecodeException if a block does not decode
   * @throws IllegalStateException if a block is refused
   */
  static List<String> replay(List<byte[]> blocks) throws DecodeException {
    List<String> out = new ArrayList<>();
    try (MarketChain c = chain();
        Ledger fresh =
            Ledger.open(
                c.genesis,
                BlockStores.inMemory(),
                SealVerifier.acceptAll(),
                Ledger.DEFAULT_STATE_RETENTION,
                MarketModules.all())) {
      for (byte[] b : blocks) {
        BlockResult res = fresh.append(Block.decode(b));
        if (!(res instanceof BlockResult.Appended)) {
          throw new IllegalStateException("block refused: " + res);
        }
        out.add(fresh.height() + " " + fresh.state().root());
      }
    }
    return out;
  }

  /** Records each block appended to the chain, and its state root. */
  private static final class Recorder {
    private final MarketChain c;
    private final List<byte[]> blocks;
    private final List<String> lines;

    Recorder(MarketChain c, List<byte[]> blocks, List<String> lines) {
      this.c = c;
      this.blocks = blocks;
      this.lines = lines;
    }

    /** One block; the nonces of refused transactions are given back. Returns how many got in. */
    int block(List<Transaction> txs) {
      Ledger.Proposal p = c.block(txs);
      for (var skipped : p.skipped()) {
        c.unuse(
            c.keys.stream()
                .filter(k -> k.address().equals(skipped.transaction().sender()))
                .findFirst()
                .orElseThrow());
      }
      catchUp();
      return txs.size() - p.skipped().size();
    }

    /** Records the blocks appended since the last one recorded (empty blocks from advanceTo). */
    void catchUp() {
      for (long h = blocks.size() + 1; h <= c.ledger.height(); h++) {
        Block b = c.ledger.block(h).orElseThrow();
        blocks.add(b.encode());
        lines.add(h + " " + b.header().stateRoot());
      }
    }
  }

  /**
   * Replays the blocks in a file (one hex encoding per line) and prints the lines.
   *
   * @param args the file
   * @throws IOException if it cannot be read
   * @throws DecodeException if a block does not decode
   */
  public static void main(String[] args) throws IOException, DecodeException {
    List<byte[]> blocks = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of(args[0]))) {
      if (!line.isBlank()) {
        blocks.add(HexFormat.of().parseHex(line.strip()));
      }
    }
    replay(blocks).forEach(System.out::println);
  }
}
