import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * One HTTPS GET over a JSSE socket with a client keystore, so the capture shows what Java itself
 * chooses to send as its client certificate. Prints the HTTP status line, or the exception text.
 * Usage: JavaClient HOST PORT KEYSTORE.p12 TRUSTSTORE.p12 PASSWORD PROTOCOL
 */
public final class JavaClient {
  public static void main(String[] args) throws Exception {
    if (args.length != 6) {
      System.err.println("usage: JavaClient HOST PORT KEYSTORE.p12 TRUSTSTORE.p12 PASSWORD PROTOCOL");
      System.exit(2);
    }
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    char[] password = args[4].toCharArray();

    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(args[2])) { keys.load(in, password); }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, password);

    KeyStore trust = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(args[3])) { trust.load(in, password); }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);

    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);

    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(host, port)) {
      socket.setEnabledProtocols(new String[] {args[5]});
      SSLParameters params = socket.getSSLParameters();
      params.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(params);
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      System.out.println("handshake complete: " + socket.getSession().getProtocol() + " "
          + socket.getSession().getCipherSuite());
      OutputStream out = socket.getOutputStream();
      out.write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader reader = new BufferedReader(
          new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
      String line;
      while ((line = reader.readLine()) != null) System.out.println(line);
    } catch (Exception e) {
      System.out.println(e);
      System.exit(1);
    }
  }
}
