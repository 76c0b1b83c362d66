package org.gridtrade.examples.demo;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.gridtrade.consensus.BlockEngine;
import org.gridtrade.game.stackelberg.LeaderElection;
import org.gridtrade.game.stackelberg.PriceBounds;
import org.gridtrade.game.stackelberg.SpBid;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Units;
import org.gridtrade.market.SealedAuction;
import org.gridtrade.market.SealedAuctionSpec;
import org.gridtrade.market.SealedBid;
import org.gridtrade.market.SealedBidAuction;

/**
 * The day's leader election on chain (Aggarwal Alg. 1, lib-market's {@link SealedBidAuction}), held
 * before the day starts: the market operator opens a second-price sealed-bid reverse auction for
 * one 1-kWh lot with reserve {@code pMax}; every SP commits to its price with a deposit; once the
 * commitments have closed the SPs reveal; at the reveal deadline every node closes the auction and
 * pays the winner from the operator's escrow.
 *
 * <p>It drives {@link DemoChain}'s prelude: {@link #next} is called again each time the batch
 * before it is on every node, and returns the next batch, or nothing once the auction has closed.
 * The demo's nodes seal only while a transaction waits, so while the chain must pass a deadline and
 * nothing else waits the operator sends itself one micro-coin (a heartbeat) to move it on.
 *
 * <p>Salts are derived from the seed, so the same options give the same chain; a real bidder draws
 * 16 to 64 bytes from a {@code SecureRandom}.
 */
public final class DemoElection {
  /** The auction's id: the first the demo chain opens. */
  public static final long AUCTION = 0;

  /** Blocks after the one that opens the auction that still take commitments. */
  static final long COMMIT_BLOCKS = 3;

  /** Blocks after the commitments close that take reveals; the last one closes the auction. */
  static final long REVEAL_BLOCKS = 4;

  /** What each commitment locks until its reveal, coins. */
  public static final long DEPOSIT_COINS = 10;

  /** The lot the leader is paid for: 1 kWh, the one-lot ask of lib-game's election. */
  static final long LOT_WH = 1_000;

  /** The market reference of the auction's records in the report. */
  public static final String MARKET = "sealed-auction/" + AUCTION;

  private enum Phase {
    OPEN,
    COMMIT,
    AWAIT_COMMIT_END,
    AWAIT_CLOSE,
    DONE
  }

  /**
   * The auction as one node holds it at the end of the run.
   *
   * @param auction the auction and its outcome, or empty if it was never opened
   * @param bids its commitments, in commit order
   */
  public record Record(Optional<SealedAuction> auction, List<SealedBid> bids) {
    public Record {
      Objects.requireNonNull(auction, "auction");
      bids = List.copyOf(bids);
    }

    /** Reads the record from a node's state. */
    public static Record of(LedgerState state) {
      return new Record(
          SealedBidAuction.auction(state, AUCTION), SealedBidAuction.bids(state, AUCTION));
    }

    /** The outcome, once the auction has closed. */
    public Optional<SealedAuction.Outcome> outcome() {
      return auction.flatMap(SealedAuction::outcome);
    }
  }

  private final long seed;
  private final List<SpBid> bids;
  private final PriceBounds bounds;
  private final Map<String, KeyPair> keys;
  private Phase phase = Phase.OPEN;
  private SealedAuctionSpec spec;

  /**
   * @param seed the demo's seed, from which the salts derive
   * @param bids the SPs' sealed prices
   * @param bounds the leader's price range; {@code pMax} is the reserve
   * @param keys every participant's key, by name (the SPs' and the operator's among them)
   */
  DemoElection(long seed, List<SpBid> bids, PriceBounds bounds, Map<String, KeyPair> keys) {
    this.seed = seed;
    this.bids = List.copyOf(bids);
    this.bounds = Objects.requireNonNull(bounds, "bounds");
    this.keys = Objects.requireNonNull(keys, "keys");
  }

  /** The auction's rule, reserve, lot, deposit and deadlines, once it is opened. */
  Optional<SealedAuctionSpec> spec() {
    return Optional.ofNullable(spec);
  }

  /**
   * The next batch of transactions, decided from the chain so far.
   *
   * @param reference a node whose chain holds every batch before this one
   * @return the batch, empty once the auction has closed
   */
  List<CommunityDay.Order> next(BlockEngine reference) {
    long height = reference.ledger().height();
    switch (phase) {
      case OPEN -> {
        // The open lands in the next block; commitments are taken in it and the 3 after it.
        long commitEnd = height + 1 + COMMIT_BLOCKS;
        spec =
            new SealedAuctionSpec(
                true,
                Units.centsPerKWhToMicroPerKWh(bounds.pMax()),
                LOT_WH,
                Units.coinsToMicro(DEPOSIT_COINS),
                commitEnd,
                commitEnd + REVEAL_BLOCKS);
        phase = Phase.COMMIT;
        return List.of(order(CommunityDay.OPERATOR, SealedBidAuction.open(spec)));
      }
      case COMMIT -> {
        List<CommunityDay.Order> commits = new ArrayList<>();
        for (SpBid b : bids) {
          Hash c = SealedBidAuction.commitment(AUCTION, address(b.id()), price(b), salt(b.id()));
          commits.add(order(b.id(), SealedBidAuction.commit(AUCTION, c)));
        }
        phase = Phase.AWAIT_COMMIT_END;
        return commits;
      }
      case AWAIT_COMMIT_END -> {
        if (height <= spec.commitEndHeight()) {
          return List.of(heartbeat());
        }
        List<CommunityDay.Order> reveals = new ArrayList<>();
        for (SpBid b : bids) {
          reveals.add(order(b.id(), SealedBidAuction.reveal(AUCTION, price(b), salt(b.id()))));
        }
        phase = Phase.AWAIT_CLOSE;
        return reveals;
      }
      case AWAIT_CLOSE -> {
        if (height < spec.revealEndHeight()) {
          return List.of(heartbeat());
        }
        phase = Phase.DONE;
        return List.of();
      }
      default -> {
        return List.of();
      }
    }
  }

  /**
   * lib-game's off-chain election of the bids the chain saw revealed, in the chain's commit order
   * (which breaks ties), at the chain's prices: what the chain's outcome must equal.
   *
   * @param record the chain's record
   * @param names account names by address
   * @return the off-chain election
   */
  LeaderElection offChain(Record record, Map<Address, String> names) {
    List<SpBid> revealed = new ArrayList<>();
    for (SealedBid b : record.bids()) {
      if (b.revealedPrice().isPresent()) {
        revealed.add(
            new SpBid(
                names.getOrDefault(b.bidder(), b.bidder().toString()),
                Units.microPerKWhToCentsPerKWh(b.revealedPrice().getAsLong())));
      }
    }
    return LeaderElection.run(revealed, bounds);
  }

  /**
   * Whether the chain's outcome is lib-game's: the same winner and the same payment, in micro-coins
   * per kWh.
   */
  boolean matchesOffChain(Record record, Map<Address, String> names) {
    Optional<SealedAuction.Outcome> o = record.outcome();
    if (o.isEmpty()) {
      return false;
    }
    LeaderElection off = offChain(record, names);
    Optional<String> winner = o.get().winner().map(a -> names.getOrDefault(a, a.toString()));
    if (!winner.equals(off.leader())) {
      return false;
    }
    return off.payment().isEmpty()
        ? o.get().payment().isEmpty()
        : o.get().payment().isPresent()
            && o.get().payment().getAsLong()
                == Units.centsPerKWhToMicroPerKWh(off.payment().getAsDouble());
  }

  private CommunityDay.Order heartbeat() {
    return heartbeat(keys);
  }

  /**
   * The operator sends itself one micro-coin: a transaction that moves the chain on while it must
   * pass a height and nothing else waits.
   */
  static CommunityDay.Order heartbeat(Map<String, KeyPair> keys) {
    Address operator =
        Objects.requireNonNull(keys.get(CommunityDay.OPERATOR), "no operator key").address();
    return order(CommunityDay.OPERATOR, new Payload.Transfer(operator, 1));
  }

  private static CommunityDay.Order order(String signer, Payload payload) {
    return new CommunityDay.Order(0, signer, payload);
  }

  private Address address(String name) {
    return Objects.requireNonNull(keys.get(name), () -> "no key for " + name).address();
  }

  private static long price(SpBid b) {
    return Units.centsPerKWhToMicroPerKWh(b.price());
  }

  /** {@code SHA-256("GridTrade/demo/salt/" ‖ seed ‖ "/" ‖ sp)}: 32 bytes. */
  private byte[] salt(String sp) {
    return Hash.sha256(("GridTrade/demo/salt/" + seed + "/" + sp).getBytes(StandardCharsets.UTF_8))
        .bytes();
  }
}
