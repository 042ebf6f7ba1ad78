package dev.changeflow.localstack.server;

/** Host, port and database of a {@code jdbc:<driver>://host:port/db?params} URL. */
final class JdbcUrls {

    private JdbcUrls() {}

    static String host(String url) {
        String hostPort = hostPort(url);
        int colon = hostPort.lastIndexOf(':');
        return colon < 0 ? hostPort : hostPort.substring(0, colon);
    }

    static int port(String url, int defaultPort) {
        String hostPort = hostPort(url);
        int colon = hostPort.lastIndexOf(':');
        return colon < 0 ? defaultPort : Integer.parseInt(hostPort.substring(colon + 1));
    }

    static String database(String url) {
        String rest = url.substring(url.indexOf("//") + 2);
        int slash = rest.indexOf('/');
        if (slash < 0) {
            return "";
        }
        String db = rest.substring(slash + 1);
        int q = db.indexOf('?');
        return q < 0 ? db : db.substring(0, q);
    }

    private static String hostPort(String url) {
        String rest = url.substring(url.indexOf("//") + 2);
        int slash = rest.indexOf('/');
        return slash < 0 ? rest : rest.substring(0, slash);
    }
}
