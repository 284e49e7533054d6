import java.io.*;
import java.security.KeyStore;
import javax.net.ssl.*;

/** A one-connection TLS server (JSSE) for captures/scripts/verdicts.sh: answers an HTTP request with 200 and prints
 * what JSSE throws. Usage: java JavaTlsServer.java PORT KEYSTORE.p12 PASSWORD */
public class JavaTlsServer {
  public static void main(String[] a) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = new FileInputStream(a[1])) { ks.load(in, a[2].toCharArray()); }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
    kmf.init(ks, a[2].toCharArray());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    try (SSLServerSocket ss = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(Integer.parseInt(a[0]), 1,
        java.net.InetAddress.getByName("127.0.0.1"))) {
      System.out.println("listening");
      try (SSLSocket s = (SSLSocket) ss.accept()) {
        s.startHandshake();
        BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream()));
        System.out.println("request: " + r.readLine());
        s.getOutputStream().write("HTTP/1.0 200 OK\r\n\r\nhello\n".getBytes());
      } catch (IOException e) {
        System.out.println(e);
      }
    }
  }
}
