package org.gridtrade.market;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The same blocks give the same state roots in another JVM: one with another default locale and
 * time zone, and every other JDK installed beside this one (a JDK 25 where there is one).
 */
class CrossJvmDeterminismTest {
  private static final long SEED = 20261206L;

  @Test
  void replay_inOtherJvmsLocalesAndTimeZones_givesTheSameStateRoots() throws Exception {
    List<String> here = MarketReplay.run(SEED);
    assertThat(here).hasSize(10);
    assertThat(here.stream().distinct()).hasSize(10);
    assertThat(here.get(9)).matches("trades [1-9]\\d* [1-9]\\d* [1-9]\\d*");
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
    System.out.println("state roots agree in: " + checked);
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

  private static List<String> child(String java, String... props) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(java));
    cmd.addAll(List.of(props));
    cmd.addAll(
        List.of(
            "-Xmx256m",
            "-cp",
            System.getProperty("java.class.path"),
            MarketReplay.class.getName(),
            Long.toString(SEED)));
    Path log = Files.createTempFile("market-replay", ".txt");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("child finished").isTrue();
      String text = Files.readString(log, StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as(text).isZero();
      return text.lines().filter(l -> l.matches("\\d+ [0-9a-f]{64}|trades[ 0-9]+")).toList();
    } finally {
      p.destroyForcibly();
      Files.deleteIfExists(log);
    }
  }
}
