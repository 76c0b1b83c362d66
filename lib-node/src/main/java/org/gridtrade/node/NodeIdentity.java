package org.gridtrade.node;

import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.PublicKey;

/**
 * A node's identity on the network: its Ed25519 key, and a self-signed X.509 certificate bound to
 * that key, which it presents in mutual TLS. No certificate authority is involved: a peer is
 * accepted when the Ed25519 public key in its certificate is one the network lists (like CometBFT's
 * node keys), whatever else the certificate says. Immutable.
 */
public final class NodeIdentity {
  // DER prefixes of an Ed25519 private key (PKCS #8) and public key (X.509 SubjectPublicKeyInfo),
  // RFC 8410; the 32 key bytes follow.
  private static final byte[] PKCS8_PREFIX = {
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20
  };
  private static final byte[] SPKI_PREFIX = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
  };

  private final PublicKey publicKey;
  private final PrivateKey privateKey;
  private final X509Certificate certificate;

  private NodeIdentity(PublicKey publicKey, PrivateKey privateKey, X509Certificate certificate) {
    this.publicKey = publicKey;
    this.privateKey = privateKey;
    this.certificate = certificate;
  }

  /**
   * The identity of a node key: a certificate for it, self-signed with it, valid from 2020 to 2120
   * (validity is not what a peer checks: the key is).
   *
   * @param key the node's key
   * @return the identity
   */
  public static NodeIdentity of(KeyPair key) {
    Objects.requireNonNull(key, "key");
    try {
      KeyFactory kf = KeyFactory.getInstance("Ed25519");
      byte[] seed = key.privateSeed();
      byte[] pkcs8 = Arrays.copyOf(PKCS8_PREFIX, PKCS8_PREFIX.length + seed.length);
      System.arraycopy(seed, 0, pkcs8, PKCS8_PREFIX.length, seed.length);
      Arrays.fill(seed, (byte) 0);
      PrivateKey priv = kf.generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
      Arrays.fill(pkcs8, (byte) 0);
      java.security.PublicKey pub =
          kf.generatePublic(new X509EncodedKeySpec(spki(key.publicKey().bytes())));
      X500Name name = new X500Name("CN=gridtrade-node-" + key.address());
      JcaX509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              name,
              new BigInteger(1, Arrays.copyOf(key.publicKey().bytes(), 16)),
              Date.from(Instant.parse("2020-01-01T00:00:00Z")),
              Date.from(Instant.parse("2120-01-01T00:00:00Z")),
              name,
              pub);
      X509Certificate cert =
          new JcaX509CertificateConverter()
              .getCertificate(b.build(new JcaContentSignerBuilder("Ed25519").build(priv)));
      return new NodeIdentity(key.publicKey(), priv, cert);
    } catch (java.security.GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot build the node's certificate: " + e, e);
    }
  }

  static byte[] spki(byte[] raw) {
    byte[] out = Arrays.copyOf(SPKI_PREFIX, SPKI_PREFIX.length + raw.length);
    System.arraycopy(raw, 0, out, SPKI_PREFIX.length, raw.length);
    return out;
  }

  /**
   * The Ed25519 key in a certificate, if it holds one.
   *
   * @param cert a peer's certificate
   * @return its 32-byte public key, or null if the certificate's key is not Ed25519
   */
  static PublicKey keyOf(X509Certificate cert) {
    byte[] enc = cert.getPublicKey().getEncoded();
    if (enc == null
        || enc.length != SPKI_PREFIX.length + PublicKey.LENGTH
        || !Arrays.equals(enc, 0, SPKI_PREFIX.length, SPKI_PREFIX, 0, SPKI_PREFIX.length)) {
      return null;
    }
    return PublicKey.of(Arrays.copyOfRange(enc, SPKI_PREFIX.length, enc.length));
  }

  /**
   * The node's public key.
   *
   * @return the key
   */
  public PublicKey publicKey() {
    return publicKey;
  }

  /**
   * The node's address, its id on the network.
   *
   * @return the address
   */
  public Address address() {
    return publicKey.address();
  }

  PrivateKey privateKey() {
    return privateKey;
  }

  X509Certificate certificate() {
    return certificate;
  }

  @Override
  public String toString() {
    return "NodeIdentity[" + address() + "]";
  }
}
