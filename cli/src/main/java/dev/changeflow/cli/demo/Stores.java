package dev.changeflow.cli.demo;

import dev.changeflow.jobs.sinks.ParquetFiles;

import org.apache.flink.core.fs.Path;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Counts what the demo's Elasticsearch indices and S3 Parquet files hold. */
public final class Stores {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Stores() {}

    /** Documents in an Elasticsearch index, after a refresh. */
    public static long documents(String elasticsearchUrl, String index)
            throws IOException, InterruptedException {
        HTTP.send(
                HttpRequest.newBuilder(URI.create(elasticsearchUrl + "/" + index + "/_refresh"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.discarding());
        HttpResponse<String> count =
                HTTP.send(
                        HttpRequest.newBuilder(
                                        URI.create(elasticsearchUrl + "/" + index + "/_count"))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return count.statusCode() == 200 ? JSON.readTree(count.body()).path("count").asLong() : 0;
    }

    /** Committed Parquet files and their rows under {@code path} (in-progress files skipped). */
    public static long[] parquetFilesAndRows(String path) throws IOException {
        return ParquetFiles.filesAndRows(new Path(path));
    }
}
