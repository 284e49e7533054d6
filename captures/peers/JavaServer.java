import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A one-connection HTTPS server on JSSE, for protocols no other peer here still speaks (SSL 3.0): reads the
 * request line, answers "HTTP/1.0 200 ok", closes. Prints the negotiated protocol and suite.
 * Usage: JavaServer PORT KEYSTORE.p12 PASSWORD PROTOCOL CIPHER_SUITE
 */
public final class JavaServer {
  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      System.err.println("usage: JavaServer PORT KEYSTORE.p12 PASSWORD PROTOCOL CIPHER_SUITE");
      System.exit(2);
    }
    char[] password = args[2].toCharArray();
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(args[1])) { keys.load(in, password); }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, password);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), null, null);
    try (SSLServerSocket server = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(
        Integer.parseInt(args[0]), 1, InetAddress.getByName("127.0.0.1"))) {
      server.setEnabledProtocols(new String[] {args[3]});
      server.setEnabledCipherSuites(new String[] {args[4]});
      System.out.println("listening");
      try (SSLSocket socket = (SSLSocket) server.accept()) {
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        System.out.println("handshake complete: " + socket.getSession().getProtocol() + " " + socket.getSession().getCipherSuite());
        BufferedReader reader = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
        System.out.println("request: " + reader.readLine());
        OutputStream out = socket.getOutputStream();
        out.write("HTTP/1.0 200 ok\r\nContent-Type: text/plain\r\n\r\nhello\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
    }
  }
}
