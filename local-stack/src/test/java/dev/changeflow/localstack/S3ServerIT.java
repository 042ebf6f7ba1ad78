package dev.changeflow.localstack;

import dev.changeflow.localstack.process.Ports;
import dev.changeflow.localstack.server.S3Server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Bucket;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class S3ServerIT {

    private static final int MIB = 1024 * 1024;

    @TempDir static Path baseDir;

    static S3Server server;
    static S3Client s3;

    @BeforeAll
    static void start() throws Exception {
        server = new S3Server(baseDir, "changeflow", "it-archive");
        long started = System.nanoTime();
        server.start();
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf(
                "s3: started in %d ms, RSS %s, %s%n",
                millis, ElasticsearchServerIT.rss(server.pid().getAsLong()), server.endpoint());
        s3 = client(server);
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    @Order(1)
    void createsTheInitialBuckets() {
        assertThat(s3.listBuckets().buckets())
                .extracting(Bucket::name)
                .contains("changeflow", "it-archive");
        assertThat(server.buckets()).containsExactly("changeflow", "it-archive");
    }

    @Test
    @Order(2)
    void multipartUploadReadsBackTheSameBytes() {
        byte[] first = randomBytes(5 * MIB + 123, 1);
        byte[] second = randomBytes(MIB + 7, 2);
        String bucket = "changeflow";
        String key = "it/multipart/part-0.bin";

        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
        String etag1 =
                s3.uploadPart(
                                b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(1),
                                RequestBody.fromBytes(first))
                        .eTag();
        String etag2 =
                s3.uploadPart(
                                b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(2),
                                RequestBody.fromBytes(second))
                        .eTag();
        s3.completeMultipartUpload(
                b ->
                        b.bucket(bucket)
                                .key(key)
                                .uploadId(uploadId)
                                .multipartUpload(
                                        CompletedMultipartUpload.builder()
                                                .parts(
                                                        CompletedPart.builder()
                                                                .partNumber(1)
                                                                .eTag(etag1)
                                                                .build(),
                                                        CompletedPart.builder()
                                                                .partNumber(2)
                                                                .eTag(etag2)
                                                                .build())
                                                .build()));

        byte[] expected = new byte[first.length + second.length];
        System.arraycopy(first, 0, expected, 0, first.length);
        System.arraycopy(second, 0, expected, first.length, second.length);
        byte[] actual = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
        assertThat(actual).hasSize(expected.length);
        assertThat(actual).isEqualTo(expected);

        s3.putObject(b -> b.bucket(bucket).key("it/small.txt"), RequestBody.fromString("hello"));
        ListObjectsV2Response listed = s3.listObjectsV2(b -> b.bucket(bucket).prefix("it/"));
        assertThat(listed.contents())
                .extracting(S3Object::key, S3Object::size)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(key, (long) expected.length),
                        org.assertj.core.groups.Tuple.tuple("it/small.txt", 5L));
        assertThat(s3.listMultipartUploads(b -> b.bucket(bucket)).uploads()).isEmpty();
    }

    @Test
    @Order(3)
    void describesItselfAndAnExternalEndpoint() throws Exception {
        assertThat(server.name()).isEqualTo("s3");
        assertThat(server.external()).isFalse();
        assertThat(server.endpoint()).matches("http://127\\.0\\.0\\.1:\\d+");
        assertThat(server.region()).isEqualTo("us-east-1");
        assertThat(server.endpoints())
                .containsEntry("endpoint", server.endpoint())
                .containsEntry("access-key", server.accessKey())
                .containsEntry("secret-key", server.secretKey())
                .containsEntry("region", "us-east-1")
                .containsEntry("buckets", "changeflow,it-archive");
        assertThat(server.log()).get().satisfies(log -> assertThat(Files.size(log)).isPositive());

        try (S3Server external =
                        S3Server.external(server.endpoint(), "someone", "secret", "us-east-1");
                S3Client client = client(external)) {
            external.start();
            assertThat(external.external()).isTrue();
            assertThat(external.endpoint()).isEqualTo(server.endpoint());
            assertThat(external.pid()).isEmpty();
            assertThat(client.listBuckets().buckets())
                    .extracting(Bucket::name)
                    .contains("changeflow");
        }
        assertThat(Ports.httpGet(server.endpoint() + "/")).isNotNull();
    }

    @Test
    @Order(4)
    void rejectsAnInvalidBucketName() {
        assertThatThrownBy(() -> new S3Server(baseDir, "Not_A_Bucket"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Not_A_Bucket");
    }

    @Test
    @Order(5)
    void listensOnLoopbackOnly() throws Exception {
        Optional<InetAddress> outside = nonLoopbackAddress();
        assumeTrue(outside.isPresent(), "this machine has no non-loopback IPv4 address");
        int httpPort = URI.create(server.endpoint()).getPort();
        assertThat(Ports.isOpen("127.0.0.1", httpPort)).isTrue();
        assertThat(Ports.isOpen(outside.get().getHostAddress(), httpPort))
                .as("plain-HTTP port on " + outside.get())
                .isFalse();
        assertThat(Ports.isOpen(outside.get().getHostAddress(), server.httpsPort()))
                .as("HTTPS port on " + outside.get())
                .isFalse();
    }

    @Test
    @Order(6)
    void closeStopsTheJvmAndFreesThePorts() {
        long pid = server.pid().getAsLong();
        int httpPort = URI.create(server.endpoint()).getPort();
        int httpsPort = server.httpsPort();
        System.out.printf("s3: RSS after the tests %s%n", ElasticsearchServerIT.rss(pid));

        long started = System.nanoTime();
        server.close();
        System.out.printf("s3: stopped in %d ms%n", (System.nanoTime() - started) / 1_000_000);
        server.log().ifPresent(log -> printTail(log, 8));

        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(Ports.isOpen("127.0.0.1", httpPort)).isFalse();
        assertThat(Ports.isOpen("127.0.0.1", httpsPort)).isFalse();
        assertThat(server.endpoints()).isEmpty();
        server.close(); // idempotent
    }

    private static S3Client client(S3Server target) {
        return S3Client.builder()
                .endpointOverride(URI.create(target.endpoint()))
                .region(Region.of(target.region()))
                .credentialsProvider(
                        StaticCredentialsProvider.create(
                                AwsBasicCredentials.create(target.accessKey(), target.secretKey())))
                .forcePathStyle(true)
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws Exception {
        List<NetworkInterface> interfaces = NetworkInterface.networkInterfaces().toList();
        for (NetworkInterface nic : interfaces) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            Optional<InetAddress> address =
                    nic.inetAddresses().filter(a -> a instanceof Inet4Address).findFirst();
            if (address.isPresent()) {
                return address;
            }
        }
        return Optional.empty();
    }

    private static void printTail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            all.subList(Math.max(0, all.size() - lines), all.size()).forEach(System.out::println);
        } catch (java.io.IOException e) {
            System.out.println("(no log: " + e + ")");
        }
    }
}
