import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * One HTTP GET written piece by piece to an unbuffered JSSE socket stream (method, then the rest of the
 * request line, then the headers), as code writing straight to getOutputStream() does. Under TLS 1.0 with a
 * CBC suite JSSE splits every application record after its first one 1/n-1, so the request line reaches the
 * wire as several records: "GET ", "/", "test HTTP/1.0\r\n", ….
 * Usage: JavaPiecewiseClient HOST PORT KEYSTORE.p12 TRUSTSTORE.p12 PASSWORD PROTOCOL
 */
public final class JavaPiecewiseClient {
  public static void main(String[] args) throws Exception {
    if (args.length != 6) {
      System.err.println("usage: JavaPiecewiseClient HOST PORT KEYSTORE.p12 TRUSTSTORE.p12 PASSWORD PROTOCOL");
      System.exit(2);
    }
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
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(args[0], Integer.parseInt(args[1]))) {
      socket.setEnabledProtocols(new String[] {args[5]});
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      OutputStream out = socket.getOutputStream();
      for (String piece : new String[] {"GET ", "/test HTTP/1.0\r\n", "Host: " + args[0] + "\r\n", "\r\n"}) {
        out.write(piece.getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
      String line;
      while ((line = reader.readLine()) != null) System.out.println(line);
    } catch (Exception e) {
      System.out.println(e);
      System.exit(1);
    }
  }
}
