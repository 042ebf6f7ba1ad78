package dev.changeflow.jobs.sinks;

import org.apache.http.HttpHost;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Where an Elasticsearch cluster is and how to log in: one or more node URLs ({@code
 * http://host:9200}, {@code https://...}) and optional basic-auth credentials. Shared by {@link
 * ElasticsearchSinks} and {@link ElasticsearchTemplates}, so a job parses its hosts option once.
 *
 * @param urls node URLs, scheme and host (and usually port) only
 * @param username basic-auth user, or null
 * @param password basic-auth password, or null
 */
public record ElasticsearchConnection(List<String> urls, String username, String password) {

    public ElasticsearchConnection {
        if (urls == null || urls.isEmpty()) {
            throw new IllegalArgumentException("Elasticsearch needs at least one host URL");
        }
        List<String> normalized = new ArrayList<>();
        for (String url : urls) {
            normalized.add(normalize(url));
        }
        urls = List.copyOf(normalized);
        if ((username == null) != (password == null)) {
            throw new IllegalArgumentException(
                    "Elasticsearch credentials need both a username and a password");
        }
    }

    /**
     * Nodes from a comma-separated list of URLs, e.g. {@code http://es-1:9200,http://es-2:9200},
     * without credentials.
     */
    public static ElasticsearchConnection of(String commaSeparatedUrls) {
        if (commaSeparatedUrls == null || commaSeparatedUrls.isBlank()) {
            throw new IllegalArgumentException(
                    "Elasticsearch needs at least one host URL like http://host:9200");
        }
        List<String> urls = new ArrayList<>();
        for (String url : commaSeparatedUrls.split(",")) {
            if (!url.isBlank()) {
                urls.add(url.strip());
            }
        }
        return new ElasticsearchConnection(urls, null, null);
    }

    /** The same nodes with basic-auth credentials. */
    public ElasticsearchConnection withCredentials(String username, String password) {
        return new ElasticsearchConnection(urls, username, password);
    }

    /** The nodes as the Elasticsearch client wants them. */
    public HttpHost[] httpHosts() {
        HttpHost[] hosts = new HttpHost[urls.size()];
        for (int i = 0; i < hosts.length; i++) {
            URI uri = URI.create(urls.get(i));
            hosts[i] = new HttpHost(uri.getHost(), uri.getPort(), uri.getScheme());
        }
        return hosts;
    }

    @Override
    public String toString() {
        return "ElasticsearchConnection"
                + urls
                + (username == null ? "" : " as " + username + " (password hidden)");
    }

    private static String normalize(String url) {
        String value = url == null ? "" : url.strip();
        URI uri;
        try {
            uri = URI.create(value);
        } catch (IllegalArgumentException e) {
            throw invalid(value);
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                || uri.getHost() == null
                || !(uri.getPath() == null || uri.getPath().isEmpty() || "/".equals(uri.getPath()))
                || uri.getQuery() != null
                || uri.getUserInfo() != null) {
            throw invalid(value);
        }
        return uri.getScheme()
                + "://"
                + uri.getHost()
                + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    }

    private static IllegalArgumentException invalid(String url) {
        return new IllegalArgumentException(
                "Elasticsearch host URL must look like http://host:9200 or https://host:9200"
                        + " (no path, no credentials in the URL), got '"
                        + url
                        + "'");
    }
}
