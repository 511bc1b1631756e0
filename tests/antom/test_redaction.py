from tvclient.antom.redaction import REDACTED, redact


def test_secret_fields_are_replaced_at_any_depth():
    """accessToken, refreshToken, authCode and paymentMethodId are redacted wherever they are."""
    body = {
        "accessToken": "at",
        "refreshToken": "rt",
        "list": [{"authCode": "ac"}, "authCode"],
        "paymentMethod": {"paymentMethodId": "at", "paymentMethodType": "DANA"},
        "authState": "st",
    }
    assert redact(body) == {
        "accessToken": REDACTED,
        "refreshToken": REDACTED,
        "list": [{"authCode": REDACTED}, "authCode"],
        "paymentMethod": {"paymentMethodId": REDACTED, "paymentMethodType": "DANA"},
        "authState": "st",
    }
    assert body["accessToken"] == "at"
