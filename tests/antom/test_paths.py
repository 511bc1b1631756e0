import pytest

from tvclient.antom.errors import UnknownApiError
from tvclient.antom.paths import Api, api_for_path, is_sandbox_client, path_for


@pytest.mark.parametrize("api", list(Api))
def test_live_and_sandbox_paths_route_back_to_their_api(api):
    """Both /ams/api/... and /ams/sandbox/api/... paths map to the API (for sandbox routing)."""
    assert api_for_path(api.live_path) is api
    assert api_for_path(api.sandbox_path) is api
    assert api_for_path(api.live_path + "?x=1") is api
    assert api_for_path(api.sandbox_path + "/") is api


def test_known_paths_and_names():
    """Paths and names are Antom's."""
    assert Api.PAY.live_path == "/ams/api/v1/payments/pay"
    assert Api.REVOKE.sandbox_path == "/ams/sandbox/api/v1/authorizations/revoke"
    assert Api.INQUIRY_DECLARATION_REQUESTS.api_name == "inquiryDeclarationRequests"
    assert api_for_path("/ams/api/v1/payments/inquiryPayment") is Api.INQUIRY_PAYMENT


@pytest.mark.parametrize(
    "path",
    ["/ams/api/v2/payments/pay", "/ams/api/v1/payments/PAY", "/v1/payments/pay", "/", "",
     "/ams/api/v1/payments/pay/extra", "/ams/sandbox/api"],
)
def test_other_paths_are_unknown(path):
    """Paths that are not a covered API raise UnknownApiError."""
    with pytest.raises(UnknownApiError):
        api_for_path(path)


def test_sandbox_rule_follows_the_client_id():
    """`SANDBOX_` client IDs use the /ams/sandbox/api path, others the live path."""
    assert is_sandbox_client("SANDBOX_5YEXAMPLE00000")
    assert not is_sandbox_client("2022061510000000")
    assert path_for(Api.CONSULT, "SANDBOX_X") == "/ams/sandbox/api/v1/authorizations/consult"
    assert path_for(Api.CONSULT, "2022") == "/ams/api/v1/authorizations/consult"
