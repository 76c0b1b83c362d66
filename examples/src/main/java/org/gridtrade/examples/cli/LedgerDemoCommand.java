package org.gridtrade.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.gridtrade.examples.demo.LedgerDemo;
import org.gridtrade.ledger.ChainReport;
import org.gridtrade.ledger.RejectReason;
import org.gridtrade.ledger.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code gridtrade ledger-demo}: runs {@link LedgerDemo} and prints its report. */
@Command(
    name = "ledger-demo",
    mixinStandardHelpOptions = true,
    versionProvider = GridTradeCommand.Version.class,
    sortOptions = false,
    description = {
      "Simulates a community trading energy hour by hour on the GridTrade ledger: wallets in"
          + " encrypted keystores, double-auction trades, meter readings and demand-response"
          + " settlements through a mempool, one block per hour in a durable store; then reopens"
          + " the store, verifies the whole chain and proves one trade against its block's Merkle"
          + " root.",
      "The same seed gives the same chain (same tip hash) in any directory."
    })
public final class LedgerDemoCommand implements Callable<Integer> {
  static final int MIN_TRADERS = 2;
  static final int MAX_TRADERS = 1_000;
  static final int MIN_HOURS = 1;
  static final int MAX_HOURS = 168;

  @Spec CommandSpec spec;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description =
          "Directory for wallets/, genesis.bin and chain.mv; must be new or empty"
              + " (default: a new temporary directory).")
  Path out;

  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "1",
      description = "Seed for keys, households and trades (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--traders",
      paramLabel = "N",
      defaultValue = "12",
      description =
          "Households, "
              + MIN_TRADERS
              + ".."
              + MAX_TRADERS
              + ", half of them prosumers (default: ${DEFAULT-VALUE}).")
  int traders;

  @Option(
      names = "--hours",
      paramLabel = "N",
      defaultValue = "24",
      description =
          "Hours to simulate, "
              + MIN_HOURS
              + ".."
              + MAX_HOURS
              + ", one block each, from "
              + "2026-11-21T00:00Z (default: ${DEFAULT-VALUE}).")
  int hours;

  @Mixin JsonOutput output;

  @Override
  public Integer call() throws IOException {
    checkRange("--traders", traders, MIN_TRADERS, MAX_TRADERS);
    checkRange("--hours", hours, MIN_HOURS, MAX_HOURS);
    Path dir = outputDirectory();
    LedgerDemo.Report report = LedgerDemo.run(new LedgerDemo.Settings(seed, traders, hours, dir));
    output.print(() -> toJson(report), () -> toText(report));
    return report.verified() ? 0 : GridTradeCommand.EXIT_FAILURE;
  }

  private void checkRange(String option, int value, int min, int max) {
    if (value < min || value > max) {
      throw new ParameterException(
          spec.commandLine(), "%s %d is outside %d..%d".formatted(option, value, min, max));
    }
  }

  private Path outputDirectory() {
    try {
      if (out == null) {
        return Files.createTempDirectory("gridtrade-ledger-demo-").toAbsolutePath();
      }
      if (Files.exists(out) && !Files.isDirectory(out)) {
        throw bad("--out %s is a file; give a new or empty directory".formatted(out));
      }
      if (Files.isDirectory(out)) {
        try (Stream<Path> entries = Files.list(out)) {
          if (entries.findAny().isPresent()) {
            throw bad(
                "--out %s is not empty; give a new or empty directory for wallets/, genesis.bin and chain.mv"
                    .formatted(out));
          }
        }
      }
      return Files.createDirectories(out).toAbsolutePath();
    } catch (IOException e) {
      throw bad("--out %s cannot be used: %s".formatted(out, e));
    }
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  static ObjectNode toJson(LedgerDemo.Report r) {
    ObjectMapper m = new ObjectMapper();
    ObjectNode root = m.createObjectNode();
    LedgerDemo.Settings s = r.settings();
    root.put("command", "ledger-demo");
    root.put("seed", s.seed());
    root.put("traders", s.traders());
    root.put("prosumers", r.prosumers());
    root.put("consumers", r.consumers());
    root.put("hours", s.hours());
    root.put("start", LedgerDemo.START.toString());
    root.put("out", s.out().toString());

    ObjectNode wallets = root.putObject("wallets");
    wallets.put("count", r.wallets());
    wallets.put("directory", r.walletDir().toString());
    ObjectNode kdf = wallets.putObject("keystore");
    kdf.put("kdf", "scrypt");
    kdf.put("cipher", "AES-256-GCM");
    kdf.put("logN", r.keystoreParams().logN());
    kdf.put("r", r.keystoreParams().r());
    kdf.put("p", r.keystoreParams().p());
    kdf.put("params", "fast");
    wallets.put("password", r.keystorePassword());
    wallets.put("passwordNote", "derived from the seed: a demo shortcut, never for real keys");
    wallets.put("readBack", r.keystoreRoundTrip());
    root.put("operator", r.operator().toString());

    ObjectNode store = root.putObject("store");
    store.put("file", r.store().toString());
    store.put("sizeBytes", r.storeSizeBytes());

    root.put("blocks", r.blocks());
    root.put("transactions", r.transactions());
    ObjectNode types = root.putObject("transactionsByType");
    r.transactionsByType().forEach(types::put);
    root.put("energyTradedWh", r.energyTradedWh());
    root.put("tradeValueMicro", r.tradeValueMicro());
    root.put("feesMicro", r.feesMicro());

    ObjectNode refused = root.putObject("rejectedSubmissions");
    refused.put("total", r.refusedTotal());
    refused.put("deliberate", r.deliberatelyBad());
    ObjectNode byReason = refused.putObject("byReason");
    r.refused().forEach((k, v) -> byReason.put(k.name(), v));
    ObjectNode leftOut = root.putObject("leftOutOfBlocks");
    leftOut.put("total", r.leftOut().values().stream().mapToLong(Long::longValue).sum());
    ObjectNode leftByReason = leftOut.putObject("byReason");
    r.leftOut().forEach((k, v) -> leftByReason.put(k.name(), v));

    root.put("reopenMs", r.reopenMillis());
    ChainReport v = r.verification();
    ObjectNode verification = root.putObject("verification");
    verification.put("valid", v.valid());
    verification.put("blocks", v.validBlocks());
    verification.put("transactions", v.transactions());
    verification.put("ms", v.elapsed().toMillis());
    v.problem().ifPresent(p -> verification.put("problem", p));
    root.put("verified", r.verified());
    root.put("tipHash", v.tip().toHex());
    root.put("stateRoot", v.stateRoot().toHex());
    root.put("totalSupplyBefore", r.supplyBefore());
    root.put("totalSupplyAfter", r.supplyAfter());
    root.put("supplyConserved", r.supplyBefore() == r.supplyAfter());

    if (r.proof().isPresent()) {
      LedgerDemo.TradeProof p = r.proof().get();
      ObjectNode proof = root.putObject("proof");
      proof.put("blockHeight", p.height());
      proof.put("txIndex", p.index());
      proof.put("blockTransactions", p.blockTransactions());
      proof.put("txId", p.txId().toHex());
      proof.put("seller", p.seller());
      proof.put("buyer", p.buyer());
      proof.put("energyWh", p.energyWh());
      proof.put("priceMicroPerKWh", p.priceMicroPerKWh());
      proof.put("market", p.market());
      proof.put("auditPathLength", p.proof().path().size());
      proof.put("treeSize", p.proof().treeSize());
      proof.put("transactionsRoot", p.transactionsRoot().toHex());
      proof.put("encoded", HexFormat.of().formatHex(p.proof().encode()));
      proof.put("verified", p.verified());
      proof.put("tamperedRejected", p.tamperedRejected());
    } else {
      root.putNull("proof");
    }
    root.put("elapsedMs", r.elapsedMillis());
    return root;
  }

  static String toText(LedgerDemo.Report r) {
    LedgerDemo.Settings s = r.settings();
    ChainReport v = r.verification();
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "GridTrade ledger demo: seed %d, %d households (%s, %s), %s from %s%n%n",
            s.seed(),
            s.traders(),
            count(r.prosumers(), "prosumer"),
            count(r.consumers(), "consumer"),
            count(s.hours(), "hour"),
            LedgerDemo.START));
    line(b, "wallets", "%d encrypted keystores in %s", r.wallets(), r.walletDir());
    line(
        b,
        "",
        "scrypt (logN %d, r %d, p %d: the \"fast\" parameters) + AES-256-GCM; read back: %s",
        r.keystoreParams().logN(),
        r.keystoreParams().r(),
        r.keystoreParams().p(),
        r.keystoreRoundTrip() ? "ok" : "MISMATCH");
    line(
        b,
        "",
        "password \"%s\" is derived from the seed: a demo shortcut, never for real keys",
        r.keystorePassword());
    line(b, "operator", "%s (authority, proposes every block, earns the fees)", r.operator());
    line(b, "store", "%s, %d bytes (H2 MVStore)", r.store(), r.storeSizeBytes());
    line(b, "blocks", "%d after genesis, one per hour", r.blocks());
    line(
        b,
        "transactions",
        "%d: %s",
        r.transactions(),
        r.transactionsByType().entrySet().stream()
            .map(e -> e.getValue() + " " + e.getKey())
            .collect(Collectors.joining(", ")));
    line(
        b,
        "traded",
        "%s kWh for %s coins (1 coin = 100 cents); fees %s coins",
        kWh(r.energyTradedWh()),
        coins(r.tradeValueMicro()),
        coins(r.feesMicro()));
    line(
        b,
        "rejected",
        "%d submissions, none changed state: %s (%d of them sent on purpose)",
        r.refusedTotal(),
        reasons(r.refused()),
        r.deliberatelyBad());
    if (!r.leftOut().isEmpty()) {
      line(b, "left out", "of blocks: %s", reasons(r.leftOut()));
    }
    line(b, "reopened", "in %d ms (from its stored state, no replay)", r.reopenMillis());
    if (v.valid()) {
      line(
          b,
          "verified",
          "valid: %d blocks with genesis, %d transactions, in %d ms",
          v.validBlocks(),
          v.transactions(),
          v.elapsed().toMillis());
    } else {
      line(b, "verified", "INVALID: %s", v);
    }
    line(b, "tip", "%s", v.tip().toHex());
    line(b, "state root", "%s", v.stateRoot().toHex());
    line(
        b,
        "supply",
        "%s coins before, %s coins after: %s",
        coins(r.supplyBefore()),
        coins(r.supplyAfter()),
        r.supplyBefore() == r.supplyAfter() ? "conserved" : "CHANGED");
    if (r.proof().isPresent()) {
      LedgerDemo.TradeProof p = r.proof().get();
      line(
          b,
          "proof",
          "trade %s at block %d, index %d of %d",
          p.txId().toHex(),
          p.height(),
          p.index(),
          p.blockTransactions());
      line(
          b,
          "",
          "%s -> %s, %s kWh at %s c/kWh (%s)",
          p.seller(),
          p.buyer(),
          kWh(p.energyWh()),
          centsPerKWh(p.priceMicroPerKWh()),
          p.market());
      line(
          b,
          "",
          "audit path %d hashes; Merkle root from the header %s",
          p.proof().path().size(),
          p.transactionsRoot().toHex());
      line(
          b,
          "",
          "verified against the header alone: %s (the trade with one byte changed: %s)",
          p.verified(),
          p.tamperedRejected() ? "rejected" : "ACCEPTED");
    } else {
      line(b, "proof", "none: no trade cleared");
    }
    line(
        b,
        "time",
        "%s s",
        BigDecimal.valueOf(r.elapsedMillis(), 3).setScale(1, RoundingMode.HALF_EVEN));
    return b.toString();
  }

  private static void line(StringBuilder b, String label, String format, Object... args) {
    b.append(
        String.format(Locale.ROOT, "%-13s %s%n", label, String.format(Locale.ROOT, format, args)));
  }

  private static String reasons(Map<RejectReason, Long> byReason) {
    if (byReason.isEmpty()) {
      return "none";
    }
    return byReason.entrySet().stream()
        .map(e -> e.getKey() + " " + e.getValue())
        .collect(Collectors.joining(", "));
  }

  private static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  private static String coins(long micro) {
    return BigDecimal.valueOf(micro, 6).toPlainString();
  }

  private static String kWh(long wh) {
    return BigDecimal.valueOf(wh, 3).toPlainString();
  }

  private static String centsPerKWh(long microPerKWh) {
    return BigDecimal.valueOf(microPerKWh)
        .divide(BigDecimal.valueOf(Units.MICRO_PER_CENT))
        .setScale(2, RoundingMode.HALF_EVEN)
        .toPlainString();
  }
}
