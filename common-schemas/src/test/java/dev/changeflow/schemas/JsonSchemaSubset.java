package dev.changeflow.schemas;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A validator for the subset of JSON Schema (draft 2020-12) that {@code change-event.schema.json}
 * uses. {@link #unsupportedKeywords()} lists any keyword outside that subset, so a test can make
 * sure nothing in the schema is silently skipped.
 */
final class JsonSchemaSubset {

    /** Keywords without validation meaning here (annotations, identifiers, definitions). */
    private static final Set<String> ANNOTATIONS =
            Set.of("$schema", "$id", "title", "description", "$comment", "$defs");

    private static final Set<String> ASSERTIONS =
            Set.of(
                    "type",
                    "enum",
                    "const",
                    "minimum",
                    "minLength",
                    "required",
                    "properties",
                    "additionalProperties",
                    "items",
                    "allOf",
                    "if",
                    "then",
                    "$ref");

    private final JsonNode root;

    JsonSchemaSubset(JsonNode root) {
        this.root = root;
    }

    /** Keywords used anywhere in the schema that this validator does not implement. */
    List<String> unsupportedKeywords() {
        List<String> unsupported = new ArrayList<>();
        collectUnsupported(root, "#", unsupported);
        return unsupported;
    }

    /** The validation errors of {@code instance}, each with its JSON pointer; empty if valid. */
    List<String> validate(JsonNode instance) {
        List<String> errors = new ArrayList<>();
        validate(root, instance, "", errors);
        return errors;
    }

    private void collectUnsupported(JsonNode schema, String path, List<String> unsupported) {
        if (!schema.isObject()) {
            return;
        }
        Iterator<Map.Entry<String, JsonNode>> fields = schema.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String keyword = field.getKey();
            JsonNode value = field.getValue();
            if (!ANNOTATIONS.contains(keyword) && !ASSERTIONS.contains(keyword)) {
                unsupported.add(path + "/" + keyword);
            }
            switch (keyword) {
                case "properties":
                case "$defs":
                    value.fields()
                            .forEachRemaining(
                                    e ->
                                            collectUnsupported(
                                                    e.getValue(),
                                                    path + "/" + keyword + "/" + e.getKey(),
                                                    unsupported));
                    break;
                case "allOf":
                    for (int i = 0; i < value.size(); i++) {
                        collectUnsupported(value.get(i), path + "/allOf/" + i, unsupported);
                    }
                    break;
                case "additionalProperties":
                case "items":
                case "if":
                case "then":
                    collectUnsupported(value, path + "/" + keyword, unsupported);
                    break;
                default:
                    break;
            }
        }
    }

    private void validate(JsonNode schema, JsonNode instance, String path, List<String> errors) {
        if (schema.isBoolean()) {
            if (!schema.booleanValue()) {
                errors.add(path + ": not allowed");
            }
            return;
        }
        if (schema.has("$ref")) {
            String ref = schema.get("$ref").asText();
            if (!ref.startsWith("#/")) {
                throw new IllegalStateException("only local $ref supported: " + ref);
            }
            validate(root.at(ref.substring(1)), instance, path, errors);
        }
        if (schema.has("type") && !matchesType(schema.get("type"), instance)) {
            errors.add(
                    path
                            + ": expected type "
                            + schema.get("type")
                            + " but was "
                            + instance.getNodeType());
        }
        if (schema.has("enum")) {
            boolean found = false;
            for (JsonNode allowed : schema.get("enum")) {
                found |= allowed.equals(instance);
            }
            if (!found) {
                errors.add(path + ": " + instance + " not in " + schema.get("enum"));
            }
        }
        if (schema.has("const") && !schema.get("const").equals(instance)) {
            errors.add(path + ": expected " + schema.get("const") + " but was " + instance);
        }
        if (schema.has("minimum")
                && instance.isNumber()
                && instance.decimalValue().compareTo(schema.get("minimum").decimalValue()) < 0) {
            errors.add(path + ": " + instance + " is below " + schema.get("minimum"));
        }
        if (schema.has("minLength")
                && instance.isTextual()
                && instance.textValue().codePointCount(0, instance.textValue().length())
                        < schema.get("minLength").intValue()) {
            errors.add(path + ": shorter than " + schema.get("minLength"));
        }
        if (instance.isObject()) {
            validateObject(schema, instance, path, errors);
        }
        if (instance.isArray() && schema.has("items")) {
            for (int i = 0; i < instance.size(); i++) {
                validate(schema.get("items"), instance.get(i), path + "/" + i, errors);
            }
        }
        if (schema.has("allOf")) {
            for (JsonNode sub : schema.get("allOf")) {
                validate(sub, instance, path, errors);
            }
        }
        if (schema.has("if") && schema.has("then")) {
            List<String> ifErrors = new ArrayList<>();
            validate(schema.get("if"), instance, path, ifErrors);
            if (ifErrors.isEmpty()) {
                validate(schema.get("then"), instance, path, errors);
            }
        }
    }

    private void validateObject(
            JsonNode schema, JsonNode instance, String path, List<String> errors) {
        if (schema.has("required")) {
            for (JsonNode required : schema.get("required")) {
                if (!instance.has(required.asText())) {
                    errors.add(path + ": missing required property '" + required.asText() + "'");
                }
            }
        }
        JsonNode properties = schema.get("properties");
        Iterator<Map.Entry<String, JsonNode>> fields = instance.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String childPath = path + "/" + field.getKey();
            if (properties != null && properties.has(field.getKey())) {
                validate(properties.get(field.getKey()), field.getValue(), childPath, errors);
            } else if (schema.has("additionalProperties")) {
                validate(schema.get("additionalProperties"), field.getValue(), childPath, errors);
            }
        }
    }

    private static boolean matchesType(JsonNode type, JsonNode instance) {
        if (type.isArray()) {
            for (JsonNode t : type) {
                if (matchesType(t, instance)) {
                    return true;
                }
            }
            return false;
        }
        switch (type.asText()) {
            case "null":
                return instance.isNull();
            case "boolean":
                return instance.isBoolean();
            case "string":
                return instance.isTextual();
            case "integer":
                return instance.isIntegralNumber();
            case "number":
                return instance.isNumber();
            case "array":
                return instance.isArray();
            case "object":
                return instance.isObject();
            default:
                throw new IllegalStateException("unknown type " + type);
        }
    }
}
