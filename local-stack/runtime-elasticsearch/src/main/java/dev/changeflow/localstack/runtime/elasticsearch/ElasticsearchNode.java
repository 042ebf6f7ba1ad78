package dev.changeflow.localstack.runtime.elasticsearch;

import org.codelibs.elasticsearch.runner.ElasticsearchClusterRunner;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;

/**
 * Runs one Elasticsearch 7.10.2 OSS node on 127.0.0.1 until the JVM is asked to stop: {@code
 * ElasticsearchNode <baseDir> <httpPort> <transportPort> <clusterName>}. The node keeps its config,
 * data and logs under {@code <baseDir>/node_1}; a SIGTERM closes it cleanly.
 */
public final class ElasticsearchNode {

    private ElasticsearchNode() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 4) {
            System.err.println(
                    "usage: ElasticsearchNode <baseDir> <httpPort> <transportPort> <clusterName>");
            System.exit(2);
        }
        String baseDir = args[0];
        int httpPort = Integer.parseInt(args[1]);
        int transportPort = Integer.parseInt(args[2]);
        String clusterName = args[3];

        ElasticsearchClusterRunner runner = new ElasticsearchClusterRunner();
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    closeQuietly(runner);
                                    closed.countDown();
                                },
                                "elasticsearch-shutdown"));

        // The runner scans for a free HTTP port from baseHttpPort + 1 up to maxHttpPort (9299
        // unless raised), so the window is placed around the port chosen by the caller.
        runner.setMaxHttpPort(httpPort + 10);
        runner.onBuild(
                (index, settings) ->
                        settings.put("network.host", "127.0.0.1")
                                .put("http.port", httpPort)
                                .put("transport.port", transportPort)
                                .put("discovery.type", "single-node")
                                // A nearly full disk must not turn a dev node read-only.
                                .put("cluster.routing.allocation.disk.threshold_enabled", false));
        try {
            runner.build(
                    ElasticsearchClusterRunner.newConfigs()
                            .basePath(baseDir)
                            .numOfNode(1)
                            .baseHttpPort(httpPort - 1)
                            .clusterName(clusterName));
        } catch (RuntimeException e) {
            e.printStackTrace();
            closeQuietly(runner);
            System.exit(1);
        }
        System.out.println(
                "changeflow: elasticsearch node up, http://127.0.0.1:"
                        + httpPort
                        + " (transport "
                        + transportPort
                        + ")");
        closed.await();
    }

    private static void closeQuietly(ElasticsearchClusterRunner runner) {
        try {
            if (!runner.isClosed()) {
                runner.close();
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("closing the node failed: " + e);
        }
    }
}
