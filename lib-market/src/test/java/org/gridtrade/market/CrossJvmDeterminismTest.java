package org.gridtrade.market;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The same blocks give the same state roots in another JVM: one with another default locale and
 * time zone, and every other JDK installed beside this one (a JDK 25 where there is one). The
 * blocks run every market module (double auctions, a sealed-bid auction, a demand-response round);
 * the other JVMs append the recorded blocks, so they execute the same bytes.
 */
class CrossJvmDeterminismTest {
  private static final long SEED = 20261206L;
  private Path blocks;

  @Test
  void replay_inOtherJvmsLocalesAndTimeZones_givesTheSameStateRoots() throws Exception {
    ChainReplay.History history = ChainReplay.build(SEED);
    List<String> lines = history.lines();
    int n = history.blocks().size();
    assertThat(lines).hasSize(n + 3);
    List<String> here = lines.subList(0, n);
    // empty blocks (waiting for deadlines) keep the root; every other block changes it
    assertThat(here.stream().map(l -> l.split(" ")[1]).distinct().count()).isGreaterThan(10);
    assertThat(lines.get(n)).matches("trades [1-9]\\d* [1-9]\\d* [1-9]\\d*");
    assertThat(lines.get(n + 1)).isEqualTo("auction CLOSED 5 forfeited 5000");
    assertThat(lines.get(n + 2)).matches("dr CLOSED ([1-9]\\d*) of \\1");
    assertThat(ChainReplay.replay(history.blocks())).as("a replay in this JVM").isEqualTo(here);
    blocks = Files.createTempFile("chain-replay", ".hex");
    Files.write(blocks, history.blocks().stream().map(b -> HexFormat.of().formatHex(b)).toList());
    String thisJava = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> checked = new ArrayList<>();
    assertThat(
            child(
                thisJava,
                "-Duser.language=tr",
                "-Duser.country=TR",
                "-Duser.timezone=Pacific/Kiritimati"))
        .as("this JDK in locale tr_TR, time zone UTC+14")
        .isEqualTo(here);
    checked.add(Runtime.version().feature() + " tr_TR");
    for (Path other : otherJdks()) {
      List<String> roots =
          child(
              other.toString(),
              "-Duser.language=ar",
              "-Duser.country=EG",
              "-Duser.timezone=America/St_Johns");
      assertThat(roots).as("%s in locale ar_EG", other).isEqualTo(here);
      checked.add(other.toString());
    }
    System.out.println("state roots of " + n + " blocks agree in: " + checked);
    Files.deleteIfExists(blocks);
  }

  /** The {@code java} launchers of the other JDKs installed beside this one, newer than 17. */
  private static List<Path> otherJdks() throws IOException {
    Path home = Path.of(System.getProperty("java.home")).toRealPath();
    Path parent = home.getParent();
    List<Path> out = new ArrayList<>();
    if (parent == null) {
      return out;
    }
    try (Stream<Path> s = Files.list(parent)) {
      for (Path p : s.sorted().toList()) {
        Path java = p.resolve("bin").resolve("java");
        if (Files.isExecutable(java)
            && !p.toRealPath().equals(home)
            && Files.exists(p.resolve("release"))) {
          String release = Files.readString(p.resolve("release"), StandardCharsets.UTF_8);
          if (!release.contains("JAVA_VERSION=\"" + Runtime.version().feature())
              && !release.contains("JAVA_VERSION=\"1.")) {
            out.add(java);
          }
        }
      }
    }
    return out;
  }

  private List<String> child(String java, String... props) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(java));
    cmd.addAll(List.of(props));
    cmd.addAll(
        List.of(
            "-Xmx256m",
            "-cp",
            System.getProperty("java.class.path"),
            ChainReplay.class.getName(),
            blocks.toString()));
    Path log = Files.createTempFile("chain-replay", ".txt");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("child finished").isTrue();
      String text = Files.readString(log, StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as(text).isZero();
      return text.lines().filter(l -> l.matches("\\d+ [0-9a-f]{64}")).toList();
    } finally {
      p.destroyForcibly();
      Files.deleteIfExists(log);
    }
  }
}
