package org.gridtrade.market.internal;

import java.math.BigInteger;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.Hash;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.PublicKey;
import org.gridtrade.ledger.Signature;
import org.gridtrade.ledger.StateKey;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TxResult;
import org.gridtrade.ledger.spi.LedgerModule;
import org.gridtrade.ledger.spi.ModuleContext;
import org.gridtrade.market.DrRound;
import org.gridtrade.market.DrRoundSpec;

/**
 * The demand-response settlement module's state and rules (docs/markets.md, "Demand-response
 * settlement"). Keys, all in the module's namespace: {@code 'n'} the round count; {@code 'r' ‖ id}
 * the operator and status; {@code 's' ‖ id} the spec as opened; {@code 'e' ‖ id} each EV's escrow
 * (a flag and an amount); {@code 'c' ‖ id} the certificate as posted; {@code 'p' ‖ id} the
 * payments, the settled cells, each EV's {@code pre_record}, and once closed the returns and the
 * operator's surplus; {@code 'g' ‖ height} the rounds with a deadline at that height; {@code 'a' ‖
 * operator} and {@code 'k' ‖ id} an open call or a certificate posted in part so far. The spec,
 * escrows, certificate, payments and parts are {@link PagedValue}s, so a round of {@value
 * DrRoundSpec#MAX_ROUND_CELLS} cells is not bound by one state value's size and a settlement
 * rewrites only the pages of its cell.
 */
public final class DrState {
  /** The module's name. */
  public static final String NAME = "dr-settlement";

  /** The module's namespace. */
  public static final int NAMESPACE = 38;

  /** Operation: open a round. */
  public static final byte OPEN = 1;

  /** Operation: escrow. */
  public static final byte ESCROW = 2;

  /** Operation: certify. */
  public static final byte CERTIFY = 3;

  /** Operation: settle a cell. */
  public static final byte SETTLE = 4;

  /** Operation: an EV rates the SP of a settled cell. */
  public static final byte RATE = 5;

  /** Operation: a part of a round's open call (a round larger than one call holds). */
  public static final byte OPEN_PART = 6;

  /** Operation: a part of a round's certificate. */
  public static final byte CERTIFY_PART = 7;

  /** Bytes of an open part before its piece of the spec: operation, offset. */
  public static final int OPEN_PART_HEADER = 1 + 4;

  /** Bytes of a certify call before its numbers: operation, round, EV and SP counts. */
  public static final int CERTIFY_HEADER = 1 + 8 + 2 + 2;

  /** Bytes of a certificate part before its numbers: operation, round, offset. */
  public static final int CERTIFY_PART_HEADER = 1 + 8 + 4;

  /** Data bytes of a rating: operation, round, EV, SP, score, the SP's address. */
  public static final int RATE_BYTES = 1 + 8 + 4 + 4 + 1 + Address.LENGTH;

  private static final int SPEC_HEADER = 4 + 4 + 8 + 8 + 8 + 8 + 2 + 2;

  /** Bytes of a stored certificate before its numbers: the EV and SP counts. */
  private static final int CERT_COUNTS = 4;

  private static final int PARTY = Address.LENGTH + 32;

  /** Data bytes of a settlement. */
  public static final int SETTLE_BYTES =
      1
          + 8
          + 4
          + (8 + Address.LENGTH + 8)
          + (8 + 8 + Hash.LENGTH + 8)
          + 8
          + 8
          + PublicKey.LENGTH
          + 2 * Signature.LENGTH;

  private static final byte[] PRE_RECORD_DOMAIN =
      "GridTrade/dr-settlement/pre-record/v1".getBytes(StandardCharsets.US_ASCII);
  private static final DrRound.Status[] STATUSES = DrRound.Status.values();

  private DrState() {}

  /**
   * The call data of a spec (after the operation byte).
   *
   * @param s the spec
   * @return its bytes
   */
  public static byte[] encodeSpec(DrRoundSpec s) {
    ByteBuffer b =
        ByteBuffer.allocate(SPEC_HEADER + PARTY * (s.evs().size() + s.sps().size()))
            .putInt(s.etaPpm())
            .putInt(s.rhoPpm())
            .putLong(s.retailPriceMicroPerKWh())
            .putLong(s.toleranceMicroPerKWh())
            .putLong(s.certifyByHeight())
            .putLong(s.settleByHeight())
            .putShort((short) s.evs().size())
            .putShort((short) s.sps().size());
    for (DrRoundSpec.Ev e : s.evs()) {
      b.put(e.address().bytes())
          .putLong(e.willingnessMicro())
          .putLong(e.eMinWh())
          .putLong(e.eMaxWh())
          .putLong(e.maxPriceMicroPerKWh());
    }
    for (DrRoundSpec.Sp p : s.sps()) {
      b.put(p.address().bytes())
          .putLong(p.capacityWh())
          .putLong(p.c1MicroPerKWh2())
          .putLong(p.c2MicroPerKWh())
          .putLong(p.minPriceMicroPerKWh());
    }
    return b.array();
  }

  /**
   * Decodes a spec, checking its length and every range.
   *
   * @param b the bytes, exactly one spec
   * @return the spec
   * @throws IllegalArgumentException naming what is wrong
   */
  static DrRoundSpec decodeSpec(ByteBuffer b) {
    if (b.remaining() < SPEC_HEADER) {
      throw new IllegalArgumentException(
          "a round takes at least %d bytes of data, not %d".formatted(SPEC_HEADER, b.remaining()));
    }
    int eta = b.getInt();
    int rho = b.getInt();
    long retail = b.getLong();
    long tol = b.getLong();
    long certifyBy = b.getLong();
    long settleBy = b.getLong();
    int n = b.getShort() & 0xffff;
    int m = b.getShort() & 0xffff;
    if (b.remaining() != PARTY * (n + m)) {
      throw new IllegalArgumentException(
          "a round of %d EVs and %d SPs takes %d bytes of data after its header, not %d"
              .formatted(n, m, PARTY * (n + m), b.remaining()));
    }
    List<DrRoundSpec.Ev> evs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      evs.add(new DrRoundSpec.Ev(address(b), b.getLong(), b.getLong(), b.getLong(), b.getLong()));
    }
    List<DrRoundSpec.Sp> sps = new ArrayList<>();
    for (int j = 0; j < m; j++) {
      sps.add(new DrRoundSpec.Sp(address(b), b.getLong(), b.getLong(), b.getLong(), b.getLong()));
    }
    return new DrRoundSpec(eta, rho, retail, tol, certifyBy, settleBy, evs, sps);
  }

  /**
   * The call data of a settlement.
   *
   * @param round the round
   * @param sp the SP's index
   * @param d the signed message
   * @return the bytes, with the operation byte
   */
  public static byte[] encodeSettle(long round, int sp, Payload.DemandResponseSettlement d) {
    return ByteBuffer.allocate(SETTLE_BYTES)
        .put(SETTLE)
        .putLong(round)
        .putInt(sp)
        .putLong(d.request().evId())
        .put(d.request().wallet().bytes())
        .putLong(d.request().credit())
        .putLong(d.token().credit())
        .putLong(d.token().validUntil())
        .put(d.token().preRecord().bytes())
        .putLong(d.token().timestamp())
        .putLong(d.energyWh())
        .putLong(d.paymentMicro())
        .put(d.ev().bytes())
        .put(d.tokenSignature().bytes())
        .put(d.evCountersignature().bytes())
        .array();
  }

  /**
   * The {@code pre_record} of EV i's first settlement in a round: {@code SHA-256("GridTrade/
   * dr-settlement/pre-record/v1" ‖ chain id ‖ round ‖ EV address)}. It names no transaction, so a
   * token made for the round is refused by the ledger's own demand-response payload, and a token
   * made for that payload (which names the EV's last payment, or zero) is refused here.
   *
   * @param chainId the chain id
   * @param round the round
   * @param ev the EV's address
   * @return the hash
   */
  public static Hash firstPreRecord(int chainId, long round, Address ev) {
    return Hash.sha256(
        PRE_RECORD_DOMAIN,
        ByteBuffer.allocate(12).putInt(chainId).putLong(round).array(),
        ev.bytes());
  }

  // ---------------------------------------------------------------------------------------------
  // Execution

  /**
   * Checks and applies one call.
   *
   * @param ctx the context
   * @param tx the transaction
   * @param verifyCertificates false only for a test's dishonest node, which accepts any certificate
   * @return empty if applied, else why not
   */
  public static Optional<TxResult.Rejected> execute(
      ModuleContext ctx, Transaction tx, boolean verifyCertificates) {
    byte[] data = ((Payload.Call) tx.body().payload()).data();
    if (data.length == 0) {
      return reject("call data is empty; it must start with an operation (1 to 7)");
    }
    ByteBuffer in = ByteBuffer.wrap(data, 1, data.length - 1);
    try {
      return switch (data[0]) {
        case OPEN -> open(ctx, tx, in);
        case ESCROW -> escrow(ctx, tx, in, data.length);
        case CERTIFY -> certify(ctx, tx, in, data.length, verifyCertificates);
        case SETTLE -> settle(ctx, tx, in, data.length);
        case RATE -> rate(ctx, tx, in, data.length);
        case OPEN_PART -> openPart(ctx, tx, in);
        case CERTIFY_PART -> certifyPart(ctx, tx, in, verifyCertificates);
        default ->
            reject(
                ("operation %d is unknown; it must be 1 (open), 2 (escrow), 3 (certify), 4"
                        + " (settle), 5 (rate), 6 (open part) or 7 (certificate part)")
                    .formatted(data[0]));
      };
    } catch (IllegalArgumentException | BufferUnderflowException e) {
      return reject("operation %d: %s".formatted(data[0], e.getMessage()));
    }
  }

  private static Optional<TxResult.Rejected> open(
      ModuleContext ctx, Transaction tx, ByteBuffer in) {
    DrRoundSpec spec = decodeSpec(in);
    Address sender = tx.sender();
    if (!ctx.authorities().contains(sender)) {
      return reject(
          "only an authority of the chain may open a round; %s is not one".formatted(sender));
    }
    if (spec.certifyByHeight() <= ctx.height()) {
      return reject(
          "certifyByHeight %d must be above the current height %d"
              .formatted(spec.certifyByHeight(), ctx.height()));
    }
    long id = ctx.get(key('n')).map(v -> ByteBuffer.wrap(v).getLong()).orElse(0L);
    for (long h : new long[] {spec.certifyByHeight(), spec.settleByHeight()}) {
      byte[] due = ctx.get(key('g', h)).orElse(new byte[0]);
      if (due.length / 8 >= MAX_DUE_PER_HEIGHT) {
        return reject(
            "%d rounds already have a deadline at height %d".formatted(due.length / 8, h));
      }
      ctx.put(key('g', h), ModuleSupport.appended(due, id));
    }
    ctx.put(key('n'), ByteBuffer.allocate(8).putLong(id + 1).array());
    ctx.put(key('r', id), header(sender, DrRound.Status.OPEN));
    PagedValue.write(ctx, key('s', id), encodeSpec(spec));
    PagedValue.write(ctx, key('e', id), new byte[9 * spec.evs().size()]);
    return Optional.empty();
  }

  /** The most rounds with a deadline at one height (each deadline runs in that block's end). */
  public static final int MAX_DUE_PER_HEIGHT = 1_024;

  private static Optional<TxResult.Rejected> escrow(
      ModuleContext ctx, Transaction tx, ByteBuffer in, int length) {
    if (length != 9) {
      return reject("operation 2 takes 9 bytes of data, not %d".formatted(length));
    }
    long id = in.getLong();
    Optional<Head> found = head(ctx, id);
    if (found.isEmpty()) {
      return reject("round %d does not exist".formatted(id));
    }
    Head r = found.get();
    if (r.status != DrRound.Status.OPEN || ctx.height() > r.certifyBy()) {
      return reject(
          "round %d takes escrow only while open, up to height %d; it is %s at height %d"
              .formatted(id, r.certifyBy(), r.status, ctx.height()));
    }
    int i = r.evIndex(tx.sender());
    if (i < 0) {
      return reject("%s is not an EV of round %d".formatted(tx.sender(), id));
    }
    PagedValue esc = PagedValue.open(ctx::get, key('e', id)).orElseThrow();
    if (esc.get(9 * i) != 0) {
      return reject("EV %d (%s) has already escrowed in round %d".formatted(i, tx.sender(), id));
    }
    long amount = DrMath.escrowMicro(r.withEvAlone(i), 0);
    if (amount > 0) {
      Optional<TxResult.Rejected> moved = ctx.transfer(tx.sender(), account(), amount);
      if (moved.isPresent()) {
        return moved;
      }
    }
    esc.put(9 * i, (byte) 1);
    esc.putLong(9 * i + 1, amount);
    esc.flush(ctx);
    return Optional.empty();
  }

  /**
   * A part of an open call: the authority's next bytes of the round's spec, at the offset it has
   * posted so far (0 starts a new round and drops an unfinished one). The part that completes the
   * spec opens the round exactly as one open call would.
   */
  private static Optional<TxResult.Rejected> openPart(
      ModuleContext ctx, Transaction tx, ByteBuffer in) {
    if (!ctx.authorities().contains(tx.sender())) {
      return reject(
          "only an authority of the chain may open a round; %s is not one".formatted(tx.sender()));
    }
    if (in.remaining() < 4 + 1) {
      return reject("an open part takes an offset and at least 1 byte of the round");
    }
    int offset = in.getInt();
    StateKey pending = pendingKey(tx.sender());
    PagedValue sofar = PagedValue.openOrEmpty(ctx::get, pending);
    int have = offset == 0 ? 0 : sofar.length();
    if (offset != have) {
      return reject(
          "offset %d must be 0 (a new round) or the %d bytes of the round posted so far"
              .formatted(offset, have));
    }
    sofar.truncate(have);
    sofar.append(bytes(in, in.remaining()));
    if (sofar.length() >= SPEC_HEADER) {
      ByteBuffer counts = ByteBuffer.wrap(sofar.bytes(SPEC_HEADER - 4, 4));
      int n = counts.getShort() & 0xffff;
      int m = counts.getShort() & 0xffff;
      Optional<String> size = DrRoundSpec.sizeProblem(n, m);
      if (size.isPresent()) {
        return reject(size.get());
      }
      int total = SPEC_HEADER + PARTY * (n + m);
      if (sofar.length() > total) {
        return reject(
            "a round of %d EVs and %d SPs takes %d bytes; the parts come to %d"
                .formatted(n, m, total, sofar.length()));
      }
      if (sofar.length() == total) {
        byte[] all = sofar.bytes(0, total);
        PagedValue.delete(ctx, pending);
        return open(ctx, tx, ByteBuffer.wrap(all));
      }
    }
    sofar.flush(ctx);
    return Optional.empty();
  }

  /**
   * A part of a certificate: the operator's next numbers (the allocation row by row, then the EVs'
   * prices, then the SPs'), at the offset it has posted so far (0 starts over). The part that
   * completes it is checked and paid exactly as one certify call would be.
   */
  private static Optional<TxResult.Rejected> certifyPart(
      ModuleContext ctx, Transaction tx, ByteBuffer in, boolean verify) {
    if (in.remaining() < 8 + 4 + 8 || (in.remaining() - 12) % 8 != 0) {
      return reject("a certificate part takes a round, an offset and whole 8-byte numbers");
    }
    long id = in.getLong();
    int offset = in.getInt();
    Certifiable c = certifiable(ctx, tx, id);
    if (c.refusal().isPresent()) {
      return c.refusal();
    }
    int n = c.round().n();
    int m = c.round().m();
    int total = n * m + n + m;
    StateKey pending = key('k', id);
    PagedValue sofar = PagedValue.openOrEmpty(ctx::get, pending);
    int have = offset == 0 ? 0 : sofar.length();
    if ((long) offset * 8 != have) {
      return reject(
          "offset %d must be 0 (start over) or the %d numbers of the certificate posted so far"
              .formatted(offset, have / 8));
    }
    if ((long) have + in.remaining() > 8L * total) {
      return reject(
          "round %d's certificate has %d numbers; the parts come to %d"
              .formatted(id, total, (have + in.remaining()) / 8));
    }
    sofar.truncate(have);
    sofar.append(bytes(in, in.remaining()));
    if (sofar.length() < 8 * total) {
      sofar.flush(ctx);
      return Optional.empty();
    }
    byte[] all = sofar.bytes(0, 8 * total);
    PagedValue.delete(ctx, pending);
    byte[] call =
        ByteBuffer.allocate(CERTIFY_HEADER + all.length)
            .put(CERTIFY)
            .putLong(id)
            .putShort((short) n)
            .putShort((short) m)
            .put(all)
            .array();
    return certify(ctx, tx, ByteBuffer.wrap(call, 1, call.length - 1), call.length, verify);
  }

  /** The round a certificate or a part of one is for, or why it may not be certified now. */
  private record Certifiable(Head round, Optional<TxResult.Rejected> refusal) {}

  private static Certifiable certifiable(ModuleContext ctx, Transaction tx, long id) {
    Optional<Head> found = head(ctx, id);
    if (found.isEmpty()) {
      return new Certifiable(null, reject("round %d does not exist".formatted(id)));
    }
    Head r = found.get();
    if (!tx.sender().equals(r.operator)) {
      return new Certifiable(
          r,
          reject(
              "only round %d's operator %s may certify it, not %s"
                  .formatted(id, r.operator, tx.sender())));
    }
    if (r.status != DrRound.Status.OPEN || ctx.height() > r.certifyBy) {
      return new Certifiable(
          r,
          reject(
              "round %d may be certified once, up to height %d; it is %s at height %d"
                  .formatted(id, r.certifyBy, r.status, ctx.height())));
    }
    return new Certifiable(r, Optional.empty());
  }

  private static StateKey pendingKey(Address operator) {
    return StateKey.of(
        NAMESPACE,
        ByteBuffer.allocate(1 + Address.LENGTH).put((byte) 'a').put(operator.bytes()).array());
  }

  private static Optional<TxResult.Rejected> certify(
      ModuleContext ctx, Transaction tx, ByteBuffer in, int length, boolean verify) {
    long id = in.getLong();
    Certifiable c = certifiable(ctx, tx, id);
    if (c.refusal().isPresent()) {
      return c.refusal();
    }
    Loaded r = load(ctx, id).orElseThrow();
    int n = r.spec.evs().size();
    int m = r.spec.sps().size();
    int cn = in.getShort() & 0xffff;
    int cm = in.getShort() & 0xffff;
    if (cn != n || cm != m) {
      return reject(
          "the certificate is for %d EVs and %d SPs; round %d has %d and %d"
              .formatted(cn, cm, id, n, m));
    }
    int expected = CERTIFY_HEADER + 8 * (n * m + n + m);
    if (length != expected) {
      return reject(
          "a certificate for this round takes %d bytes, not %d".formatted(expected, length));
    }
    ByteBuffer esc = ByteBuffer.wrap(r.escrow);
    for (int i = 0; i < n; i++) {
      if (esc.get(9 * i) == 0) {
        return reject(
            "EV %d (%s) has not escrowed in round %d"
                .formatted(i, r.spec.evs().get(i).address(), id));
      }
    }
    long[][] x = new long[n][m];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        x[i][j] = in.getLong();
      }
    }
    long[] u = new long[n];
    for (int i = 0; i < n; i++) {
      u[i] = in.getLong();
    }
    long[] alpha = new long[m];
    for (int j = 0; j < m; j++) {
      alpha[j] = in.getLong();
    }
    if (verify) {
      Optional<String> broken = DrMath.check(r.spec, x, u, alpha);
      if (broken.isPresent()) {
        return reject("round %d's certificate: %s".formatted(id, broken.get()));
      }
    }
    DrMath.Payments p = DrMath.pay(r.spec, x);
    long in0 = 0;
    long out0 = 0;
    for (int i = 0; i < n; i++) {
      in0 += p.evPayMicro()[i];
      for (int j = 0; j < m; j++) {
        out0 += p.cellPayMicro()[i][j];
      }
    }
    if (out0 > in0) {
      return reject(
          "round %d: the SPs' payments %d exceed the EVs' %d (the payment rule must balance)"
              .formatted(id, out0, in0));
    }
    ByteBuffer pay = ByteBuffer.allocate(paymentsBytes(n, m));
    for (int i = 0; i < n; i++) {
      long escrowed = esc.getLong(9 * i + 1);
      long paid = p.evPayMicro()[i];
      if (paid > escrowed) {
        return reject(
            "round %d: EV %d would pay %d, more than its escrow %d"
                .formatted(id, i, paid, escrowed));
      }
      ModuleSupport.move(ctx, account(), r.spec.evs().get(i).address(), escrowed - paid);
      pay.putLong(paid);
    }
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        pay.putLong(p.cellPayMicro()[i][j]);
      }
    }
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        pay.put((byte) (p.cellPayMicro()[i][j] > 0 ? 0 : 1));
      }
    }
    for (int i = 0; i < n; i++) {
      pay.put(firstPreRecord(ctx.chainId(), id, r.spec.evs().get(i).address()).bytes());
    }
    byte[] cert = new byte[length - 9];
    System.arraycopy(in.array(), 9, cert, 0, cert.length);
    PagedValue.write(ctx, key('c', id), cert);
    PagedValue.write(ctx, key('p', id), pay.array());
    ctx.put(key('r', id), header(r.operator, DrRound.Status.CERTIFIED));
    return Optional.empty();
  }

  private static Optional<TxResult.Rejected> settle(
      ModuleContext ctx, Transaction tx, ByteBuffer in, int length) {
    if (length != SETTLE_BYTES) {
      return reject("operation 4 takes %d bytes of data, not %d".formatted(SETTLE_BYTES, length));
    }
    long id = in.getLong();
    int j = in.getInt();
    Payload.DemandResponseSettlement d =
        new Payload.DemandResponseSettlement(
            new Payload.DemandResponseSettlement.Request(in.getLong(), address(in), in.getLong()),
            new Payload.DemandResponseSettlement.Token(
                in.getLong(), in.getLong(), hash(in), in.getLong()),
            in.getLong(),
            in.getLong(),
            PublicKey.of(bytes(in, PublicKey.LENGTH)),
            Signature.of(bytes(in, Signature.LENGTH)),
            Signature.of(bytes(in, Signature.LENGTH)));
    Optional<Head> found = head(ctx, id);
    if (found.isEmpty()) {
      return reject("round %d does not exist".formatted(id));
    }
    Head r = found.get();
    if (r.status != DrRound.Status.CERTIFIED || ctx.height() > r.settleBy) {
      return reject(
          "round %d settles only once certified, up to height %d; it is %s at height %d"
              .formatted(id, r.settleBy, r.status, ctx.height()));
    }
    int n = r.n;
    int m = r.m;
    if (j < 0 || j >= m || !r.sp(j).equals(tx.sender())) {
      return reject(
          "sp %d: the sender %s is not that SP of round %d (it has %d SPs)"
              .formatted(j, tx.sender(), id, m));
    }
    long ev = d.request().evId();
    if (ev >= n) {
      return reject("request.evId %d: round %d has EVs 0 to %d".formatted(ev, id, n - 1));
    }
    int i = (int) ev;
    Address wallet = r.ev(i);
    if (!d.request().wallet().equals(wallet)) {
      return reject(
          "request.wallet %s is not EV %d's wallet %s".formatted(d.request().wallet(), i, wallet));
    }
    long escrowed = PagedValue.open(ctx::get, key('e', id)).orElseThrow().getLong(9 * i + 1);
    if (d.request().credit() != escrowed) {
      return reject(
          "request.credit %d must be EV %d's escrow %d"
              .formatted(d.request().credit(), i, escrowed));
    }
    long x = cell(ctx::get, id, m, i, j);
    PagedValue pay = PagedValue.open(ctx::get, key('p', id)).orElseThrow();
    long g = pay.getLong(8 * n + 8 * (i * m + j));
    int settledAt = 8 * n + 8 * n * m + (i * m + j);
    if (pay.get(settledAt) != 0) {
      return reject("cell [%d][%d] of round %d is already settled".formatted(i, j, id));
    }
    if (d.energyWh() != x || d.paymentMicro() != g) {
      return reject(
          "energyWh %d and paymentMicro %d must be cell [%d][%d]'s certified %d Wh and %d"
              .formatted(d.energyWh(), d.paymentMicro(), i, j, x, g));
    }
    int preAt = 8 * n + 9 * n * m + Hash.LENGTH * i;
    Hash pre = Hash.of(pay.bytes(preAt, Hash.LENGTH));
    if (!d.token().preRecord().equals(pre)) {
      return reject(
          "token.preRecord %s must be EV %d's pre_record %s in round %d"
              .formatted(d.token().preRecord(), i, pre, id));
    }
    long now = ctx.blockTime();
    if (now > d.token().validUntil() || d.token().timestamp() > now) {
      return reject(
          "the token is valid from %d to %d; the block time is %d"
              .formatted(d.token().timestamp(), d.token().validUntil(), now));
    }
    if (!tx.body().sender().verify(d.tokenMessage(ctx.chainId()), d.tokenSignature())) {
      return reject("tokenSignature does not verify with SP %d's key".formatted(j));
    }
    if (!d.ev().verify(d.drMessage(ctx.chainId(), tx.sender()), d.evCountersignature())) {
      return reject("evCountersignature does not verify with EV %d's key".formatted(i));
    }
    ModuleSupport.move(ctx, account(), tx.sender(), g);
    pay.put(settledAt, (byte) 1);
    pay.put(preAt, tx.id().bytes());
    pay.flush(ctx);
    return Optional.empty();
  }

  private static Optional<TxResult.Rejected> rate(
      ModuleContext ctx, Transaction tx, ByteBuffer in, int length) {
    if (length != RATE_BYTES) {
      return reject("operation 5 takes %d bytes of data, not %d".formatted(RATE_BYTES, length));
    }
    long id = in.getLong();
    int i = in.getInt();
    int j = in.getInt();
    int score = in.get();
    Address named = address(in);
    if (score < 1 || score > 5) {
      return reject("score %d must be in [1, 5]".formatted(score));
    }
    Optional<Head> found = head(ctx, id);
    if (found.isEmpty()) {
      return reject("round %d does not exist".formatted(id));
    }
    Head r = found.get();
    if (r.status != DrRound.Status.CERTIFIED && r.status != DrRound.Status.CLOSED) {
      return reject(
          "round %d is %s; only a certified round's cells may be rated".formatted(id, r.status));
    }
    int n = r.n;
    int m = r.m;
    if (i < 0 || i >= n || !r.ev(i).equals(tx.sender())) {
      return reject(
          "ev %d: the sender %s is not that EV of round %d (it has %d EVs); only the EV rates its SPs"
              .formatted(i, tx.sender(), id, n));
    }
    if (j < 0 || j >= m) {
      return reject("sp %d: round %d has SPs 0 to %d".formatted(j, id, m - 1));
    }
    Address sp = r.sp(j);
    if (!sp.equals(named)) {
      return reject("sp address %s is not SP %d of round %d, %s".formatted(named, j, id, sp));
    }
    if (sp.equals(tx.sender())) {
      return reject(
          "SP %d of round %d is EV %d itself; a trader cannot rate itself".formatted(j, id, i));
    }
    long x = cell(ctx::get, id, m, i, j);
    PagedValue pay = PagedValue.open(ctx::get, key('p', id)).orElseThrow();
    if (x == 0 || pay.get(8 * n + 8 * n * m + (i * m + j)) == 0) {
      return reject(
          "cell [%d][%d] of round %d %s; only a cell the EV's token settled may be rated"
              .formatted(i, j, id, x == 0 ? "supplies nothing" : "is not settled"));
    }
    StateKey rated =
        StateKey.of(
            NAMESPACE,
            ByteBuffer.allocate(17).put((byte) 'q').putLong(id).putInt(i).putInt(j).array());
    if (ctx.get(rated).isPresent()) {
      return reject("cell [%d][%d] of round %d has been rated already".formatted(i, j, id));
    }
    ctx.put(rated, new byte[] {(byte) score});
    return Optional.empty();
  }

  /**
   * The EV's rating of a cell's SP.
   *
   * @param state a ledger state
   * @param id the round's id
   * @param ev the EV's index
   * @param sp the SP's index
   * @return 1 to 5, or empty if not rated
   */
  public static OptionalInt rating(LedgerState state, long id, int ev, int sp) {
    return state
        .get(
            StateKey.of(
                NAMESPACE,
                ByteBuffer.allocate(17).put((byte) 'q').putLong(id).putInt(ev).putInt(sp).array()))
        .map(v -> OptionalInt.of(v[0]))
        .orElse(OptionalInt.empty());
  }

  /**
   * Runs the deadlines due at this height: a round still open at its certify height expires and
   * returns every escrow; a certified round closes at its settle height.
   *
   * @param ctx the context
   */
  public static void endBlock(ModuleContext ctx) {
    StateKey due = key('g', ctx.height());
    Optional<byte[]> ids = ctx.get(due);
    if (ids.isEmpty()) {
      return;
    }
    ByteBuffer b = ByteBuffer.wrap(ids.get());
    while (b.hasRemaining()) {
      long id = b.getLong();
      Loaded r = load(ctx, id).orElseThrow();
      if (r.status == DrRound.Status.OPEN && ctx.height() == r.spec.certifyByHeight()) {
        expire(ctx, id, r);
      } else if (r.status == DrRound.Status.CERTIFIED && ctx.height() == r.spec.settleByHeight()) {
        close(ctx, id, r);
      }
    }
    ctx.delete(due);
  }

  private static void expire(ModuleContext ctx, long id, Loaded r) {
    ByteBuffer esc = ByteBuffer.wrap(r.escrow);
    for (int i = 0; i < r.spec.evs().size(); i++) {
      ModuleSupport.move(ctx, account(), r.spec.evs().get(i).address(), esc.getLong(9 * i + 1));
      esc.putLong(9 * i + 1, 0);
    }
    PagedValue.write(ctx, key('e', id), r.escrow);
    ctx.put(key('r', id), header(r.operator, DrRound.Status.EXPIRED));
    PagedValue.delete(ctx, key('k', id)); // a certificate posted in part
  }

  private static void close(ModuleContext ctx, long id, Loaded r) {
    int n = r.spec.evs().size();
    int m = r.spec.sps().size();
    PagedValue pay = PagedValue.open(ctx::get, key('p', id)).orElseThrow();
    ByteBuffer tail = ByteBuffer.allocate(8 * n + 8);
    long pool = 0;
    long returned = 0;
    for (int i = 0; i < n; i++) {
      long paid = pay.getLong(8 * i);
      pool += paid;
      long total = 0;
      long open = 0;
      for (int j = 0; j < m; j++) {
        long g = pay.getLong(8 * n + 8 * (i * m + j));
        total += g;
        if (pay.get(8 * n + 8 * n * m + i * m + j) == 0) {
          open += g;
        } else {
          pool -= g;
        }
      }
      // an unsettled cell's payment goes back to its EV, scaled by what the EV paid over what its
      // cells pay (when the rule relieved it), so no EV gains by withholding its countersignature
      long back =
          total == 0
              ? 0
              : BigInteger.valueOf(open)
                  .multiply(BigInteger.valueOf(Math.min(paid, total)))
                  .divide(BigInteger.valueOf(total))
                  .longValueExact();
      ModuleSupport.move(ctx, account(), r.spec.evs().get(i).address(), back);
      returned += back;
      tail.putLong(back);
    }
    long surplus = pool - returned;
    ModuleSupport.move(ctx, account(), r.operator, surplus);
    tail.putLong(surplus);
    pay.append(tail.array());
    pay.flush(ctx);
    ctx.put(key('r', id), header(r.operator, DrRound.Status.CLOSED));
  }

  // ---------------------------------------------------------------------------------------------
  // Reading

  /**
   * How many rounds were opened.
   *
   * @param state a ledger state
   * @return the count
   */
  public static long count(LedgerState state) {
    return state.get(key('n')).map(v -> ByteBuffer.wrap(v).getLong()).orElse(0L);
  }

  /**
   * A round as the chain holds it.
   *
   * @param state a ledger state
   * @param id the round's id
   * @return the round, or empty
   */
  public static Optional<DrRound> round(LedgerState state, long id) {
    Optional<byte[]> h = id < 0 ? Optional.empty() : state.get(key('r', id));
    if (h.isEmpty()) {
      return Optional.empty();
    }
    ByteBuffer head = ByteBuffer.wrap(h.get());
    Address operator = address(head);
    DrRound.Status status = STATUSES[head.get()];
    DrRoundSpec spec =
        decodeSpec(ByteBuffer.wrap(PagedValue.read(state::get, key('s', id)).orElseThrow()));
    int n = spec.evs().size();
    int m = spec.sps().size();
    ByteBuffer esc = ByteBuffer.wrap(PagedValue.read(state::get, key('e', id)).orElseThrow());
    List<Long> escrow = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      escrow.add(esc.getLong(9 * i + 1));
    }
    Optional<DrRound.Certificate> cert = Optional.empty();
    Optional<byte[]> c = PagedValue.read(state::get, key('c', id));
    if (c.isPresent()) {
      ByteBuffer cb = ByteBuffer.wrap(c.get()).position(CERT_COUNTS);
      ByteBuffer pb = ByteBuffer.wrap(PagedValue.read(state::get, key('p', id)).orElseThrow());
      List<List<Long>> x = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        List<Long> rowList = new ArrayList<>();
        for (int j = 0; j < m; j++) {
          rowList.add(cb.getLong());
        }
        x.add(rowList);
      }
      List<Long> u = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        u.add(cb.getLong());
      }
      List<Long> alpha = new ArrayList<>();
      for (int j = 0; j < m; j++) {
        alpha.add(cb.getLong());
      }
      List<Long> paid = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        paid.add(pb.getLong());
      }
      List<List<Long>> cells = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        List<Long> rowList = new ArrayList<>();
        for (int j = 0; j < m; j++) {
          rowList.add(pb.getLong());
        }
        cells.add(rowList);
      }
      List<List<Boolean>> settled = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        List<Boolean> rowList = new ArrayList<>();
        for (int j = 0; j < m; j++) {
          rowList.add(pb.get() != 0);
        }
        settled.add(rowList);
      }
      pb.position(pb.position() + Hash.LENGTH * n);
      List<Long> back = new ArrayList<>();
      long surplus = 0;
      if (pb.hasRemaining()) {
        for (int i = 0; i < n; i++) {
          back.add(pb.getLong());
        }
        surplus = pb.getLong();
      } else {
        for (int i = 0; i < n; i++) {
          back.add(0L);
        }
      }
      cert = Optional.of(new DrRound.Certificate(x, u, alpha, paid, cells, settled, back, surplus));
    }
    return Optional.of(new DrRound(id, operator, spec, status, escrow, cert));
  }

  /**
   * The {@code pre_record} the next token of an EV must name in a certified round.
   *
   * @param state a ledger state
   * @param id the round's id
   * @param ev the EV's index
   * @return the hash, or empty if the round is not certified or has no such EV
   */
  public static Optional<Hash> preRecord(LedgerState state, long id, int ev) {
    Optional<DrRound> r = round(state, id);
    if (r.isEmpty() || r.get().certificate().isEmpty() || ev < 0) {
      return Optional.empty();
    }
    int n = r.get().spec().evs().size();
    int m = r.get().spec().sps().size();
    if (ev >= n) {
      return Optional.empty();
    }
    PagedValue p = PagedValue.open(state::get, key('p', id)).orElseThrow();
    return Optional.of(Hash.of(p.bytes(8 * n + 9 * n * m + Hash.LENGTH * ev, Hash.LENGTH)));
  }

  /**
   * The module's escrow account.
   *
   * @return its address
   */
  public static Address account() {
    return LedgerModule.account(NAME);
  }

  // ---------------------------------------------------------------------------------------------

  private record Loaded(Address operator, DrRound.Status status, DrRoundSpec spec, byte[] escrow) {}

  /**
   * A round's header and its spec's fixed fields, with the parties read from the paged spec only
   * when asked: a settlement or a rating touches two of a round's thousands of parties.
   */
  private record Head(
      Address operator,
      DrRound.Status status,
      long certifyBy,
      long settleBy,
      int n,
      int m,
      PagedValue spec) {
    Address ev(int i) {
      return Address.ofBytes(spec.bytes(SPEC_HEADER + PARTY * i, Address.LENGTH));
    }

    Address sp(int j) {
      return Address.ofBytes(spec.bytes(SPEC_HEADER + PARTY * (n + j), Address.LENGTH));
    }

    int evIndex(Address a) {
      byte[] want = a.bytes();
      byte[] evs = spec.bytes(SPEC_HEADER, PARTY * n);
      for (int i = 0; i < n; i++) {
        if (Arrays.equals(evs, PARTY * i, PARTY * i + Address.LENGTH, want, 0, want.length)) {
          return i;
        }
      }
      return -1;
    }

    /**
     * The round with EV i as its only EV and every SP: EV i's escrow and cell capacities depend on
     * nothing else, and this decodes m + 1 parties instead of n + m.
     */
    DrRoundSpec withEvAlone(int i) {
      ByteBuffer b = ByteBuffer.allocate(SPEC_HEADER + PARTY * (1 + m));
      b.put(spec.bytes(0, SPEC_HEADER - 4)).putShort((short) 1).putShort((short) m);
      b.put(spec.bytes(SPEC_HEADER + PARTY * i, PARTY));
      b.put(spec.bytes(SPEC_HEADER + PARTY * n, PARTY * m));
      return decodeSpec(b.flip());
    }
  }

  private static Optional<Head> head(ModuleContext ctx, long id) {
    Optional<byte[]> h = id < 0 ? Optional.empty() : ctx.get(key('r', id));
    if (h.isEmpty()) {
      return Optional.empty();
    }
    Address operator = address(ByteBuffer.wrap(h.get()));
    DrRound.Status status = STATUSES[h.get()[Address.LENGTH]];
    PagedValue spec = PagedValue.open(ctx::get, key('s', id)).orElseThrow();
    ByteBuffer fixed = ByteBuffer.wrap(spec.bytes(0, SPEC_HEADER));
    long certifyBy = fixed.getLong(4 + 4 + 8 + 8);
    long settleBy = fixed.getLong(4 + 4 + 8 + 8 + 8);
    int n = fixed.getShort(SPEC_HEADER - 4) & 0xffff;
    int m = fixed.getShort(SPEC_HEADER - 2) & 0xffff;
    return Optional.of(new Head(operator, status, certifyBy, settleBy, n, m, spec));
  }

  private static Optional<Loaded> load(ModuleContext ctx, long id) {
    Optional<byte[]> h = id < 0 ? Optional.empty() : ctx.get(key('r', id));
    if (h.isEmpty()) {
      return Optional.empty();
    }
    ByteBuffer head = ByteBuffer.wrap(h.get());
    Address operator = address(head);
    DrRound.Status status = STATUSES[head.get()];
    DrRoundSpec spec =
        decodeSpec(ByteBuffer.wrap(PagedValue.read(ctx::get, key('s', id)).orElseThrow()));
    return Optional.of(
        new Loaded(operator, status, spec, PagedValue.read(ctx::get, key('e', id)).orElseThrow()));
  }

  /** The certified Wh of cell [i][j]. */
  private static long cell(
      Function<StateKey, Optional<byte[]>> reader, long id, int m, int i, int j) {
    return PagedValue.open(reader, key('c', id))
        .orElseThrow()
        .getLong(CERT_COUNTS + 8 * (i * m + j));
  }

  private static int paymentsBytes(int n, int m) {
    return 8 * n + 9 * n * m + Hash.LENGTH * n;
  }

  private static byte[] header(Address operator, DrRound.Status status) {
    return ByteBuffer.allocate(Address.LENGTH + 1)
        .put(operator.bytes())
        .put((byte) status.ordinal())
        .array();
  }

  private static Address address(ByteBuffer b) {
    return Address.ofBytes(bytes(b, Address.LENGTH));
  }

  private static Hash hash(ByteBuffer b) {
    return Hash.of(bytes(b, Hash.LENGTH));
  }

  private static byte[] bytes(ByteBuffer b, int n) {
    byte[] a = new byte[n];
    b.get(a);
    return a;
  }

  private static StateKey key(char kind) {
    return StateKey.of(NAMESPACE, new byte[] {(byte) kind});
  }

  private static StateKey key(char kind, long id) {
    return StateKey.of(NAMESPACE, ByteBuffer.allocate(9).put((byte) kind).putLong(id).array());
  }

  private static Optional<TxResult.Rejected> reject(String detail) {
    return ModuleSupport.refused(NAME, detail);
  }
}
