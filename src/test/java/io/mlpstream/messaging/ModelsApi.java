package io.mlpstream.messaging;

import static io.restassured.RestAssured.given;

import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What /api/models says of each model's training, for the tests that count examples per model. */
final class ModelsApi {
    private ModelsApi() {
    }

    /** examplesTrained of every model, by name. */
    static Map<String, Long> trained() {
        Map<String, Long> out = new TreeMap<>();
        JsonPath models = given().get("/api/models").then().statusCode(200).extract().jsonPath();
        List<String> names = models.getList("model");
        for (int i = 0; i < names.size(); i++) out.put(names.get(i), models.getLong("[" + i + "].examplesTrained"));
        return out;
    }

    /** Every count plus n. */
    static Map<String, Long> plus(Map<String, Long> m, long n) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v + n));
        return out;
    }
}
