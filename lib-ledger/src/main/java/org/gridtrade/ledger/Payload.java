package org.gridtrade.ledger;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What a transaction does: the sealed family of ledger operations.
 *
 * <p>Every payload is an immutable record that validates its fields in its constructor and throws
 * {@link IllegalArgumentException} naming the field, the value and the rule, so a payload that
 * exists is well-formed. Whether it can be applied (funds, authority, nonces) is decided against
 * the {@link LedgerState}. Amounts are micro-coins, energy is Wh, times are epoch milliseconds.
 */
public sealed interface Payload {

  /**
   * The wire tag of this payload type in the canonical encoding.
   *
   * @return the tag, 1 or more
   */
  int tag();

  /**
   * Moves {@code amount} from the sender to {@code to}.
   *
   * @param to the recipient
   * @param amount micro-coins, more than 0
   */
  record Transfer(Address to, long amount) implements Payload {
    /** Wire tag. */
    public static final int TAG = 1;

    public Transfer {
      Objects.requireNonNull(to, "to");
      positive("amount", amount);
    }

    @Override
    public int tag() {
      return TAG;
    }
  }

  /**
   * Settles an energy trade cleared by a market mechanism: the buyer (who must be the sender) pays
   * the seller {@code Units.paymentMicro(energyWh, priceMicroPerKWh)}.
   *
   * @param seller the account that delivered the energy
   * @param buyer the account that pays; must be the transaction's sender
   * @param energyWh energy delivered in Wh, more than 0
   * @param priceMicroPerKWh clearing price in micro-coins per kWh, 0 or more
   * @param market the market and mechanism that cleared the trade, e.g. {@code
   *     "double-auction/2026-11-21T13"}; 1 to 64 UTF-8 bytes
   */
  record EnergyTrade(
      Address seller, Address buyer, long energyWh, long priceMicroPerKWh, String market)
      implements Payload {
    /** Wire tag. */
    public static final int TAG = 2;

    /** Longest market reference, in UTF-8 bytes. */
    public static final int MAX_MARKET_BYTES = 64;

    public EnergyTrade {
      Objects.requireNonNull(seller, "seller");
      Objects.requireNonNull(buyer, "buyer");
      if (seller.equals(buyer)) {
        throw new IllegalArgumentException("seller %s == buyer: no self-trade".formatted(seller));
      }
      positive("energyWh", energyWh);
      nonNegative("priceMicroPerKWh", priceMicroPerKWh);
      text("market", market, MAX_MARKET_BYTES);
    }

    /**
     * What the buyer pays, rounded half-even.
     *
     * @return micro-coins
     * @throws ArithmeticException if the payment does not fit a {@code long}
     */
    public long paymentMicro() {
      return Units.paymentMicro(energyWh, priceMicroPerKWh);
    }

    @Override
    public int tag() {
      return TAG;
    }
  }

  /**
   * Locks {@code amount} of the sender's balance as stake (the deposit consensus may slash).
   *
   * @param amount micro-coins, more than 0
   */
  record Stake(long amount) implements Payload {
    /** Wire tag. */
    public static final int TAG = 3;

    public Stake {
      positive("amount", amount);
    }

    @Override
    public int tag() {
      return TAG;
    }
  }

  /**
   * Returns {@code amount} of the sender's stake to its balance.
   *
   * @param amount micro-coins, more than 0
   */
  record Unstake(long amount) implements Payload {
    /** Wire tag. */
    public static final int TAG = 4;

    public Unstake {
      positive("amount", amount);
    }

    @Override
    public int tag() {
      return TAG;
    }
  }

  /**
   * Burns up to {@code amount} of an offender's stake for proven misbehaviour. Only an authority of
   * the chain ({@link Genesis#authorities()}) may send it.
   *
   * @param offender the account whose stake is cut
   * @param amount micro-coins, more than 0; the offender must have that much stake
   * @param evidence hash of the evidence (e.g. two conflicting signed headers)
   */
  record Slash(Address offender, long amount, Hash evidence) implements Payload {
    /** Wire tag. */
    public static final int TAG = 5;

    public Slash {
      Objects.requireNonNull(offender, "offender");
      positive("amount", amount);
      Objects.requireNonNull(evidence, "evidence");
    }

    @Override
    public int tag() {
      return TAG;
    }
  }

  /**
   * Mints {@code amount} to {@code to} (block rewards, incentive payments). Only an authority of
   * the chain may send it.
   *
   * @param to the recipient
   * @param amount micro-coins, more than 0
   */
  record Reward(Address to, long amount) implements Payload {
    /** Wire tag. */
    public static final int TAG = 6;

    public Reward {
      Objects.requireNonNull(to, "to");
      positive("amount", amount);
    }

    @Override
    public int tag() {
      return TAG;
    }
  }

  /**
   * A smart meter's signed reading for one interval; moves no money.
   *
   * @param meterId the meter's identifier, 1 to 64 UTF-8 bytes
   * @param intervalStart start of the interval, epoch milliseconds, 0 or more
   * @param intervalSeconds length of the interval, 1 to 86,400 seconds
   * @param importedWh energy drawn from the grid, Wh, 0 or more
   * @param exportedWh energy fed into the grid, Wh, 0 or more
   */
  record MeterReading(
      String meterId, long intervalStart, int intervalSeconds, long importedWh, long exportedWh)
      implements Payload {
    /** Wire tag. */
    public static final int TAG = 7;

    /** Longest meter identifier, in UTF-8 bytes. */
    public static final int MAX_METER_ID_BYTES = 64;

    public MeterReading {
      text("meterId", meterId, MAX_METER_ID_BYTES);
      nonNegative("intervalStart", intervalStart);
      if (intervalSeconds < 1 || intervalSeconds > 86_400) {
        throw new IllegalArgumentException(
            "intervalSeconds %d not in 1..86400".formatted(intervalSeconds));
      }
      nonNegative("importedWh", importedWh);
      nonNegative("exportedWh", exportedWh);
    }

    @Override
    public int tag() {
      return TAG;
    }
  }

  /**
   * Settles demand response between an EV and a service provider (SP), carrying the signed token of
   * Aggarwal §4.4.3 (Eq. 4.21–4.25; docs/ledger.md). The SP sends the transaction; the EV's
   * countersignature authorises the debit of its wallet.
   *
   * <p>{@code request = ID ‖ WID ‖ credit}; token {@code T = credit ‖ t ‖ pre_record ‖ timestamp}
   * with {@code pre_record} the id of the EV's previous paying transaction. Aggarwal says only that
   * "t represents verification of an EV"; we read it as the token's validity deadline, which every
   * node can check against the block time.
   *
   * <p>Every node checks: the EV key hashes to {@code WID}; request and token carry the same
   * credit; the SP's signature over the token and the EV's countersignature over the DR message are
   * valid; the token is not expired; {@code pre_record} equals the EV's last paying transaction in
   * the ledger (so a token settles once); the EV holds at least {@code credit}, and {@code payment
   * ≤ credit}. Then {@code payment} moves from the EV to the SP.
   *
   * @param request the EV's request (Eq. 4.21)
   * @param token the SP's token (Eq. 4.23)
   * @param energyWh the energy the SP delivers, Wh, more than 0
   * @param paymentMicro what the EV pays the SP, micro-coins, more than 0
   * @param ev the EV's public key
   * @param tokenSignature the SP's signature over {@link #tokenMessage(int)} (SignToken)
   * @param evCountersignature the EV's signature over {@link #drMessage(int, Address)} (SignDR)
   */
  record DemandResponseSettlement(
      Request request,
      Token token,
      long energyWh,
      long paymentMicro,
      PublicKey ev,
      Signature tokenSignature,
      Signature evCountersignature)
      implements Payload {
    /** Wire tag. */
    public static final int TAG = 8;

    public DemandResponseSettlement {
      Objects.requireNonNull(request, "request");
      Objects.requireNonNull(token, "token");
      if (request.credit() != token.credit()) {
        throw new IllegalArgumentException(
            "token.credit %d != request.credit %d".formatted(token.credit(), request.credit()));
      }
      positive("energyWh", energyWh);
      positive("paymentMicro", paymentMicro);
      if (paymentMicro > request.credit()) {
        throw new IllegalArgumentException(
            "paymentMicro %d > credit %d".formatted(paymentMicro, request.credit()));
      }
      Objects.requireNonNull(ev, "ev");
      if (!Address.of(ev).equals(request.wallet())) {
        throw new IllegalArgumentException(
            "ev key address %s != request.wallet %s".formatted(Address.of(ev), request.wallet()));
      }
      Objects.requireNonNull(tokenSignature, "tokenSignature");
      Objects.requireNonNull(evCountersignature, "evCountersignature");
    }

    /**
     * The bytes the SP signs: a domain tag, the chain id, and the token.
     *
     * @param chainId the chain the token is valid on
     * @return the message for {@code SignToken}
     */
    public byte[] tokenMessage(int chainId) {
      return Codec.drTokenMessage(chainId, token);
    }

    /**
     * The bytes the EV countersigns: a domain tag, the chain id, the request, the token, the SP's
     * token signature, the SP's address, the energy and the payment.
     *
     * @param chainId the chain the settlement is valid on
     * @param serviceProvider the SP's address (the transaction's sender)
     * @return the message for {@code SignDR}
     */
    public byte[] drMessage(int chainId, Address serviceProvider) {
      return Codec.drMessage(chainId, serviceProvider, this);
    }

    /**
     * Builds a settlement: the SP signs the token and the EV countersigns.
     *
     * @param chainId the chain id
     * @param request the EV's request
     * @param token the token
     * @param energyWh energy delivered, Wh
     * @param paymentMicro what the EV pays, micro-coins
     * @param sp the service provider's keys
     * @param ev the EV's keys
     * @return the signed payload
     */
    public static DemandResponseSettlement sign(
        int chainId,
        Request request,
        Token token,
        long energyWh,
        long paymentMicro,
        KeyPair sp,
        KeyPair ev) {
      Signature spSig = sp.sign(Codec.drTokenMessage(chainId, token));
      DemandResponseSettlement unsigned =
          new DemandResponseSettlement(
              request, token, energyWh, paymentMicro, ev.publicKey(), spSig, spSig);
      Signature evSig = ev.sign(Codec.drMessage(chainId, sp.address(), unsigned));
      return new DemandResponseSettlement(
          request, token, energyWh, paymentMicro, ev.publicKey(), spSig, evSig);
    }

    @Override
    public int tag() {
      return TAG;
    }

    /**
     * The EV's request, Eq. 4.21: {@code ID ‖ WID ‖ credit}.
     *
     * @param evId the EV's registered identity (ID), 0 or more
     * @param wallet the EV's wallet address (WID)
     * @param credit the balance the EV declares, micro-coins, more than 0
     */
    public record Request(long evId, Address wallet, long credit) {
      public Request {
        nonNegative("evId", evId);
        Objects.requireNonNull(wallet, "wallet");
        positive("credit", credit);
      }
    }

    /**
     * The SP's token, Eq. 4.23: {@code credit ‖ t ‖ pre_record ‖ timestamp}.
     *
     * @param credit the EV's declared balance, micro-coins, more than 0
     * @param validUntil {@code t}: the token is valid in blocks up to this time, epoch ms
     * @param preRecord id of the EV's previous paying transaction ({@link Hash#ZERO} if none)
     * @param timestamp when the SP issued the token, epoch ms, at most {@code validUntil}
     */
    public record Token(long credit, long validUntil, Hash preRecord, long timestamp) {
      public Token {
        positive("credit", credit);
        nonNegative("timestamp", timestamp);
        if (validUntil < timestamp) {
          throw new IllegalArgumentException(
              "validUntil %d < timestamp %d".formatted(validUntil, timestamp));
        }
        Objects.requireNonNull(preRecord, "preRecord");
      }
    }
  }

  /**
   * The sender rates the counterparty of a confirmed {@link EnergyTrade} (Haider §4.3, the trader
   * rating α on a 1–5 Likert scale). Moves no money; the sender pays its fee.
   *
   * <p>Every node checks against the {@link LedgerState}: {@code trade} is the id of an {@link
   * EnergyTrade} transaction confirmed in an earlier block; the sender is its seller or its buyer
   * (it rates the other party, never itself); and the sender has not rated that trade before. So
   * one trade yields at most two ratings, one per party, and accounts that never traded cannot rate
   * each other.
   *
   * @param trade the id of the rated {@link EnergyTrade} transaction
   * @param score the rating, {@value #MIN_SCORE} (worst) to {@value #MAX_SCORE} (best)
   */
  record Rating(Hash trade, int score) implements Payload {
    /** Wire tag. */
    public static final int TAG = 9;

    /** Lowest score. */
    public static final int MIN_SCORE = 1;

    /** Highest score. */
    public static final int MAX_SCORE = 5;

    public Rating {
      Objects.requireNonNull(trade, "trade");
      if (score < MIN_SCORE || score > MAX_SCORE) {
        throw new IllegalArgumentException(
            "score %d not in %d..%d".formatted(score, MIN_SCORE, MAX_SCORE));
      }
    }

    @Override
    public int tag() {
      return TAG;
    }
  }

  /**
   * A call into an on-chain module (see {@link org.gridtrade.ledger.spi.LedgerModule}): the chain
   * hands {@code data} to the module named {@code module}, which decodes it, checks it against the
   * state and applies it, or rejects the transaction. The sender pays the fee and uses the nonce as
   * for any other payload. A chain whose {@link Genesis#modules()} does not name the module rejects
   * the call ({@link RejectReason#UNKNOWN_TYPE}).
   *
   * @param module the module's name: 1 to {@value #MAX_MODULE_NAME} characters of {@code a-z},
   *     {@code 0-9} and {@code -}, starting with a letter
   * @param data the call in the module's own encoding, at most {@value #MAX_DATA_BYTES} bytes
   *     (copied)
   */
  record Call(String module, byte[] data) implements Payload {
    /** Wire tag. */
    public static final int TAG = 10;

    /** Longest module name, in characters. */
    public static final int MAX_MODULE_NAME = 32;

    /** Largest call data, in bytes (a transaction is at most 2,048 bytes). */
    public static final int MAX_DATA_BYTES = 1536;

    public Call {
      checkModuleName("module", module);
      Objects.requireNonNull(data, "data");
      if (data.length > MAX_DATA_BYTES) {
        throw new IllegalArgumentException(
            "data is %d bytes, must be at most %d".formatted(data.length, MAX_DATA_BYTES));
      }
      data = data.clone();
    }

    /**
     * The call data.
     *
     * @return a copy
     */
    @Override
    public byte[] data() {
      return data.clone();
    }

    byte[] unsafeData() {
      return data;
    }

    @Override
    public int tag() {
      return TAG;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Call c
          && module.equals(c.module)
          && java.util.Arrays.equals(data, c.data);
    }

    @Override
    public int hashCode() {
      return 31 * module.hashCode() + java.util.Arrays.hashCode(data);
    }

    @Override
    public String toString() {
      return "Call[module=%s, data=%d bytes]".formatted(module, data.length);
    }
  }

  /**
   * Checks a module name: 1 to {@value Call#MAX_MODULE_NAME} characters of {@code a-z}, {@code 0-9}
   * and {@code -}, starting with a letter.
   *
   * @param field the field name for the message
   * @param name the name
   * @return the name
   * @throws IllegalArgumentException naming the field, the value and the rule
   */
  static String checkModuleName(String field, String name) {
    Objects.requireNonNull(name, field);
    boolean ok = !name.isEmpty() && name.length() <= Call.MAX_MODULE_NAME;
    for (int i = 0; ok && i < name.length(); i++) {
      char c = name.charAt(i);
      ok = (c >= 'a' && c <= 'z') || (i > 0 && ((c >= '0' && c <= '9') || c == '-'));
    }
    if (!ok) {
      throw new IllegalArgumentException(
          "%s '%s' must be 1..%d characters of a-z, 0-9 and '-', starting with a letter"
              .formatted(field, name, Call.MAX_MODULE_NAME));
    }
    return name;
  }

  private static void positive(String field, long v) {
    if (v <= 0) {
      throw new IllegalArgumentException("%s %d must be > 0".formatted(field, v));
    }
  }

  private static void nonNegative(String field, long v) {
    if (v < 0) {
      throw new IllegalArgumentException("%s %d must be >= 0".formatted(field, v));
    }
  }

  private static void text(String field, String s, int maxBytes) {
    Objects.requireNonNull(s, field);
    int n = s.getBytes(StandardCharsets.UTF_8).length;
    if (n < 1 || n > maxBytes) {
      throw new IllegalArgumentException(
          "%s '%s' is %d UTF-8 bytes, must be 1..%d".formatted(field, s, n, maxBytes));
    }
  }
}
