package org.gridtrade.auction;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import org.gridtrade.auction.ReverseAuctionResult.Exclusion;

/**
 * Commit–reveal sealing for a {@link ReverseAuction} (Aggarwal Alg. 1's sealed bids on a public
 * ledger; docs/auction.md, "Commit–reveal sealing").
 *
 * <p>Each bidder first publishes a commitment to its ask, {@link #commitment(String, double,
 * byte[])}, up to the commit deadline; after that it reveals the ask and the salt, up to the reveal
 * deadline. {@link #close(ReverseAuction)} runs the auction over the valid reveals, in commit order
 * (so the tie rule "earlier submission wins" means "earlier commitment wins").
 *
 * <p><b>Commitment encoding</b> (big-endian throughout):
 *
 * <pre>{@code
 * SHA-256( int32 len(b) ‖ b ‖ int64 doubleToLongBits(price + 0.0) ‖ int32 len(salt) ‖ salt )
 * }</pre>
 *
 * where {@code b} is the bidder id in UTF-8 and the price is the IEEE-754 binary64 value in
 * cents/kWh ({@code -0.0} is encoded as {@code 0.0}). The length prefixes make the encoding
 * unambiguous. Salts must be at least {@value #MIN_SALT_BYTES} bytes of fresh randomness: prices
 * come from a small range, so a short salt would let anyone recover a sealed price by trying them.
 *
 * <p><b>Rules</b> (every bid from the network gets a {@link Receipt}, never an exception; API
 * misuse such as a null argument throws):
 *
 * <ul>
 *   <li>A commit is accepted when it is on time ({@code time ≤ commitDeadline}), is 32 bytes and is
 *       the bidder's first.
 *   <li>A reveal is accepted when it is on time ({@code time ≤ revealDeadline}), follows a commit
 *       of the same bidder, has a valid price (finite, 0 or more), a salt of at least {@value
 *       #MIN_SALT_BYTES} bytes, and hashes to the commitment. Revealing before the commit deadline
 *       is allowed; it only exposes the bidder's own price.
 *   <li>Any other commit or reveal is rejected and <b>excludes the bidder</b> from the auction for
 *       good, with the reason: late commit, malformed commitment, double commit (a second
 *       commitment could be used to equivocate), late reveal, reveal without commitment, invalid
 *       price, short salt, reveal not matching the commitment. A repeated reveal after a valid one
 *       is rejected and ignored. Events about an excluded bidder are rejected and ignored.
 *   <li>At {@link #close(ReverseAuction)} a commitment never validly revealed excludes its bidder
 *       ("committed but never revealed"). After close, every commit and reveal is rejected.
 * </ul>
 *
 * <p>A revealed ask becomes {@code new Order(bidder, price, 1)}: the sealed auction is for one lot.
 *
 * <p>Thread-safety: thread-safe (every method synchronises on the box). Times are passed in
 * (milliseconds on the caller's clock), so runs are deterministic.
 */
public final class SealedBidBox {

  /** The minimum salt length in bytes. */
  public static final int MIN_SALT_BYTES = 16;

  /** The length of a commitment in bytes (SHA-256). */
  public static final int COMMITMENT_BYTES = 32;

  /**
   * What the box did with a commit or reveal.
   *
   * @param bidder the bidder's id
   * @param accepted whether the commit or reveal was accepted
   * @param reason empty when accepted, otherwise why it was rejected
   */
  public record Receipt(String bidder, boolean accepted, String reason) {
    /** Checks for null and that only rejections carry a reason. */
    public Receipt {
      Objects.requireNonNull(bidder, "bidder");
      Objects.requireNonNull(reason, "reason");
      if (accepted != reason.isEmpty()) {
        throw new IllegalArgumentException(
            "reason '%s' must be empty exactly when accepted (%s)".formatted(reason, accepted));
      }
    }
  }

  private static final class Entry {
    final byte[] commitment;
    double price = Double.NaN;

    Entry(byte[] commitment) {
      this.commitment = commitment;
    }
  }

  private final Instant commitDeadline;
  private final Instant revealDeadline;
  private final Map<String, Entry> entries = new LinkedHashMap<>();
  private final Map<String, String> exclusions = new LinkedHashMap<>();
  private boolean closed;

  private SealedBidBox(Instant commitDeadline, Instant revealDeadline) {
    this.commitDeadline = commitDeadline;
    this.revealDeadline = revealDeadline;
  }

  /**
   * An empty box with the two deadlines (inclusive).
   *
   * @param commitDeadline the last time a commitment is accepted
   * @param revealDeadline the last time a reveal is accepted, not before the commit deadline
   * @return the box
   * @throws IllegalArgumentException if the reveal deadline is before the commit deadline
   */
  public static SealedBidBox withDeadlines(Instant commitDeadline, Instant revealDeadline) {
    Objects.requireNonNull(commitDeadline, "commitDeadline");
    Objects.requireNonNull(revealDeadline, "revealDeadline");
    if (revealDeadline.isBefore(commitDeadline)) {
      throw new IllegalArgumentException(
          "revealDeadline %s must not be before commitDeadline %s"
              .formatted(revealDeadline, commitDeadline));
    }
    return new SealedBidBox(commitDeadline, revealDeadline);
  }

  /**
   * The commitment to an ask: SHA-256 of the length-prefixed encoding described in the class
   * documentation.
   *
   * @param bidder the bidder's id, not blank
   * @param price the ask, cents/kWh, finite and 0 or more
   * @param salt fresh random bytes, at least {@value #MIN_SALT_BYTES}
   * @return the 32-byte commitment
   * @throws IllegalArgumentException if the bidder is blank, the price invalid or the salt short
   */
  public static byte[] commitment(String bidder, double price, byte[] salt) {
    Objects.requireNonNull(bidder, "bidder");
    Objects.requireNonNull(salt, "salt");
    if (bidder.isBlank()) {
      throw new IllegalArgumentException("bidder id '%s' must not be blank".formatted(bidder));
    }
    if (!Double.isFinite(price) || price < 0) {
      throw new IllegalArgumentException(
          "bidder %s: price %s must be finite and >= 0".formatted(bidder, price));
    }
    if (salt.length < MIN_SALT_BYTES) {
      throw new IllegalArgumentException(
          "bidder %s: salt length %d must be >= %d bytes"
              .formatted(bidder, salt.length, MIN_SALT_BYTES));
    }
    return digest(bidder, price, salt);
  }

  private static byte[] digest(String bidder, double price, byte[] salt) {
    byte[] b = bidder.getBytes(StandardCharsets.UTF_8);
    ByteBuffer buf = ByteBuffer.allocate(4 + b.length + 8 + 4 + salt.length);
    buf.putInt(b.length).put(b).putLong(Double.doubleToLongBits(price + 0.0));
    buf.putInt(salt.length).put(salt);
    try {
      return MessageDigest.getInstance("SHA-256").digest(buf.array());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required on every Java platform", e);
    }
  }

  /**
   * Records a bidder's commitment.
   *
   * @param bidder the bidder's id
   * @param commitment the 32-byte commitment (copied)
   * @param time when the commitment arrived
   * @return accepted, or rejected with the reason (the bidder is then excluded, see the class
   *     documentation)
   */
  public synchronized Receipt commit(String bidder, byte[] commitment, Instant time) {
    Objects.requireNonNull(bidder, "bidder");
    Objects.requireNonNull(commitment, "commitment");
    Objects.requireNonNull(time, "time");
    Receipt pre = precheck(bidder);
    if (pre != null) {
      return pre;
    }
    if (time.isAfter(commitDeadline)) {
      return exclude(
          bidder, "late commit at %s after commit deadline %s".formatted(time, commitDeadline));
    }
    if (commitment.length != COMMITMENT_BYTES) {
      return exclude(
          bidder,
          "malformed commitment of %d bytes, expected %d"
              .formatted(commitment.length, COMMITMENT_BYTES));
    }
    if (entries.containsKey(bidder)) {
      return exclude(bidder, "double commit: a second commitment excludes the bidder");
    }
    entries.put(bidder, new Entry(commitment.clone()));
    return new Receipt(bidder, true, "");
  }

  /**
   * Records a bidder's reveal.
   *
   * @param bidder the bidder's id
   * @param price the revealed ask, cents/kWh
   * @param salt the salt used in the commitment
   * @param time when the reveal arrived
   * @return accepted, or rejected with the reason (the bidder is then excluded, except for a
   *     repeated reveal after a valid one)
   */
  public synchronized Receipt reveal(String bidder, double price, byte[] salt, Instant time) {
    Objects.requireNonNull(bidder, "bidder");
    Objects.requireNonNull(salt, "salt");
    Objects.requireNonNull(time, "time");
    Receipt pre = precheck(bidder);
    if (pre != null) {
      return pre;
    }
    if (time.isAfter(revealDeadline)) {
      return exclude(
          bidder, "late reveal at %s after reveal deadline %s".formatted(time, revealDeadline));
    }
    Entry e = entries.get(bidder);
    if (e == null) {
      return exclude(bidder, "reveal without commitment");
    }
    if (!Double.isNaN(e.price)) {
      return new Receipt(bidder, false, "already revealed; repeated reveal ignored");
    }
    if (!Double.isFinite(price) || price < 0) {
      return exclude(bidder, "revealed price %s must be finite and >= 0".formatted(price));
    }
    if (salt.length < MIN_SALT_BYTES) {
      return exclude(
          bidder,
          "revealed salt of %d bytes is shorter than %d".formatted(salt.length, MIN_SALT_BYTES));
    }
    if (!MessageDigest.isEqual(e.commitment, digest(bidder, price, salt))) {
      return exclude(bidder, "reveal does not match commitment");
    }
    e.price = price + 0.0;
    return new Receipt(bidder, true, "");
  }

  private Receipt precheck(String bidder) {
    if (closed) {
      return new Receipt(bidder, false, "box is closed");
    }
    if (bidder.isBlank()) {
      return new Receipt(bidder, false, "bidder id must not be blank");
    }
    String why = exclusions.get(bidder);
    if (why != null) {
      return new Receipt(bidder, false, "bidder already excluded: " + why);
    }
    return null;
  }

  private Receipt exclude(String bidder, String reason) {
    entries.remove(bidder);
    exclusions.put(bidder, reason);
    return new Receipt(bidder, false, reason);
  }

  /**
   * Closes the box and runs the auction over the valid reveals, in commit order. Call it after the
   * reveal deadline. The result's exclusions list the box's exclusions (in the order they happened,
   * then commitments never revealed, in commit order) followed by the auction's own (asks above the
   * reserve).
   *
   * @param auction the auction to run
   * @return the auction's result, with every exclusion and its reason
   */
  public synchronized ReverseAuctionResult close(ReverseAuction auction) {
    Objects.requireNonNull(auction, "auction");
    closed = true;
    List<Order> asks = new ArrayList<>();
    List<Exclusion> excluded = new ArrayList<>();
    exclusions.forEach((id, why) -> excluded.add(new Exclusion(id, why)));
    entries.forEach(
        (id, e) -> {
          if (Double.isNaN(e.price)) {
            excluded.add(new Exclusion(id, "committed but never revealed"));
          } else {
            asks.add(new Order(id, e.price, 1));
          }
        });
    ReverseAuctionResult r = auction.run(asks);
    excluded.addAll(r.excluded());
    String reason = r.noTradeReason();
    if (asks.isEmpty()) {
      reason =
          "no valid sealed bids"
              + (excluded.isEmpty() ? "" : "; %d excluded".formatted(excluded.size()));
    }
    return new ReverseAuctionResult(
        r.winner(), r.payment(), r.winningBid(), r.ranking(), excluded, reason);
  }

  /**
   * The revealed price of a bidder, for inspection.
   *
   * @param bidder the bidder's id
   * @return the validly revealed ask, if any
   */
  public synchronized OptionalDouble revealedPrice(String bidder) {
    Entry e = entries.get(bidder);
    return e == null || Double.isNaN(e.price) ? OptionalDouble.empty() : OptionalDouble.of(e.price);
  }

  /**
   * Why a bidder was excluded, for inspection.
   *
   * @param bidder the bidder's id
   * @return the reason, if the bidder is excluded so far (commitments never revealed are only
   *     excluded at close)
   */
  public synchronized Optional<String> exclusionReason(String bidder) {
    return Optional.ofNullable(exclusions.get(bidder));
  }
}
