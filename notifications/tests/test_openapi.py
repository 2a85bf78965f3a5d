"""The notification endpoints in /api/schema/: typed bodies, 400 and 401 declared."""

NOTIFICATION_KEYS = {"id", "type", "actor", "tweet", "created_at", "read"}


def _component(schema: dict, ref: dict) -> dict:
    return schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]


def test_operations_are_documented_with_their_errors(schema):
    paths = schema["paths"]
    expected = {
        "/api/notifications/": ("get", {"200", "400", "401"}),
        "/api/notifications/unread_count/": ("get", {"200", "401"}),
        "/api/notifications/read/": ("post", {"204", "400", "401"}),
    }
    for path, (method, codes) in expected.items():
        assert set(paths[path]) & {"get", "post", "put", "patch", "delete"} == {method}, path
        operation = paths[path][method]
        assert codes <= set(operation["responses"]), (path, operation["responses"].keys())
        assert {"jwtAuth": []} in operation["security"], path


def test_bodies_are_named_typed_components(schema):
    components = schema["components"]["schemas"]
    assert set(components["NotificationOutput"]["properties"]) == NOTIFICATION_KEYS
    assert components["NotificationOutput"]["properties"]["type"]["$ref"].endswith("/NotificationType")
    assert components["NotificationType"]["enum"] == ["follow", "like", "repost", "reply", "mention"]
    tweet = components["NotificationOutput"]["properties"]["tweet"]
    assert tweet.get("nullable") is True and "TweetOutput" in str(tweet)
    assert set(components["UnreadCountOutput"]["properties"]) == {"count"}
    body = schema["paths"]["/api/notifications/read/"]["post"]["requestBody"]["content"]["application/json"]
    read_input = _component(schema, body["schema"])  # NotificationReadInput(Request): COMPONENT_SPLIT_REQUEST
    assert body["schema"]["$ref"].rsplit("/", 1)[1].startswith("NotificationReadInput")
    assert read_input["properties"]["up_to"]["nullable"] is True
    assert "required" not in read_input
    listing = schema["paths"]["/api/notifications/"]["get"]
    page = _component(schema, listing["responses"]["200"]["content"]["application/json"]["schema"])
    assert set(page["properties"]) == {"count", "next", "previous", "results"}
    assert page["properties"]["results"]["items"]["$ref"].endswith("/NotificationOutput")
    assert {p["name"] for p in listing["parameters"]} == {"limit", "offset"}
