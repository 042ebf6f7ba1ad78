package dev.changeflow.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.Base64;

/**
 * The JSON form of a {@link DeadLetter} on a dead-letter topic:
 *
 * <pre>{@code
 * {"reason":"column 't' ...","job":"ingest","origin":"log:shop.public.orders",
 *  "position":"00000000/016B3748","ts_ms":1704164645123,
 *  "payload_text":"{\"before\":null,...}","payload_base64":"eyJiZWZv..."}
 * }</pre>
 *
 * <p>{@code payload_base64} always holds the exact bytes; {@code payload_text} holds them as text
 * when they are valid UTF-8 (so a person can read the topic), and is {@code null} otherwise.
 */
public final class DeadLetterJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private DeadLetterJson() {}

    public static byte[] toBytes(DeadLetter letter) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("reason", letter.reason());
        node.put("job", letter.job());
        node.put("origin", letter.origin());
        node.put("position", letter.position());
        node.put("ts_ms", letter.tsMs());
        node.put("payload_text", letter.payloadText());
        node.put("payload_base64", Base64.getEncoder().encodeToString(letter.payload()));
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a dead letter as JSON", e);
        }
    }

    /**
     * Reads a dead letter back (tools and tests that inspect the dead-letter topic).
     *
     * @throws ChangeEventFormatException if the bytes are not a dead letter
     */
    public static DeadLetter fromBytes(byte[] json) {
        try {
            JsonNode node = MAPPER.readTree(json);
            if (node == null || !node.isObject()) {
                throw new ChangeEventFormatException("a dead letter must be a JSON object");
            }
            return new DeadLetter(
                    required(node, "reason"),
                    required(node, "job"),
                    required(node, "origin"),
                    node.path("position").isTextual() ? node.get("position").asText() : null,
                    Base64.getDecoder().decode(required(node, "payload_base64")),
                    node.path("ts_ms").asLong());
        } catch (ChangeEventFormatException e) {
            throw e;
        } catch (IOException | IllegalArgumentException e) {
            throw new ChangeEventFormatException("not a dead letter: " + e.getMessage(), e);
        }
    }

    private static String required(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new ChangeEventFormatException("dead letter field '" + field + "' is missing");
        }
        return value.asText();
    }
}
