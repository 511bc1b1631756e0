"""The Antom (Alipay Global "AMS") Open API: keys, signatures, typed messages, async client.

Modules:

- `errors`: the exception tree (`AntomError` and below).
- `keys`: load / generate / write RSA keys (PEM or Antom's bare base64).
- `headers`: the Signature header, Client-Id, Request-Time / Response-Time.
- `signing`: string to sign, sign, verify requests / responses / notifications.
- `paths`: API paths, the `/ams/sandbox/api` rule, path → `Api`.
- `wire`, `fields`: the message machinery (`Message`, `@message`, `Rule`, field codecs).
- `result`, `codes`: the `result` object, result-code catalogue, notification reply.
- `messages`: every request, response and notification, typed and validated.
- `notifications`: verify and parse notifications (merchant side).
- `redaction`: strip tokens from JSON before logging.
- `client`, `outcomes`: the async client and what a call comes to (Success / Failure / Unknown).

See docs/antom.md.
"""

from __future__ import annotations

from tvclient.antom import codes
from tvclient.antom.client import DEFAULT_TIMEOUT, AntomClient
from tvclient.antom.errors import (
    AntomError,
    InvalidSignatureError,
    KeyFormatError,
    MalformedHeaderError,
    MessageError,
    MissingHeaderError,
    SignatureError,
    UnknownApiError,
)
from tvclient.antom.headers import (
    SignatureHeader,
    epoch_millis,
    format_signature_header,
    get_header,
    parse_signature_header,
    parse_time_header,
)
from tvclient.antom.keys import (
    KeyForm,
    RSAPrivateKey,
    RSAPublicKey,
    generate_private_key,
    load_private_key,
    load_public_key,
    private_key_text,
    public_key_text,
    read_private_key,
    read_public_key,
    write_private_key,
    write_public_key,
)
from tvclient.antom.messages import *  # noqa: F403 - the message types are the public surface
from tvclient.antom.messages import __all__ as _messages_all
from tvclient.antom.notifications import Notification, NotificationVerifier, parse_notification
from tvclient.antom.outcomes import Failure, Outcome, Success, Unknown, UnknownReason
from tvclient.antom.paths import (
    ASIA,
    EUROPE,
    NORTH_AMERICA,
    Api,
    api_for_path,
    is_sandbox_client,
    path_for,
)
from tvclient.antom.redaction import redact
from tvclient.antom.result import (
    NOTIFICATION_SUCCESS_BODY,
    Result,
    ResultStatus,
    is_notification_success_reply,
)
from tvclient.antom.signing import (
    SignedParts,
    read_request_headers,
    read_response_headers,
    request_headers,
    response_headers,
    sign,
    signature_header,
    string_to_sign,
    verify,
    verify_notification,
    verify_request,
    verify_response,
)
from tvclient.antom.wire import Message

__all__ = [  # noqa: PLE0604 - extended by the messages' names
    "ASIA",
    "DEFAULT_TIMEOUT",
    "EUROPE",
    "NORTH_AMERICA",
    "NOTIFICATION_SUCCESS_BODY",
    "AntomClient",
    "AntomError",
    "Api",
    "Failure",
    "InvalidSignatureError",
    "KeyForm",
    "KeyFormatError",
    "MalformedHeaderError",
    "Message",
    "MessageError",
    "MissingHeaderError",
    "Notification",
    "NotificationVerifier",
    "Outcome",
    "RSAPrivateKey",
    "RSAPublicKey",
    "Result",
    "ResultStatus",
    "SignatureError",
    "SignatureHeader",
    "SignedParts",
    "Success",
    "Unknown",
    "UnknownApiError",
    "UnknownReason",
    "api_for_path",
    "codes",
    "epoch_millis",
    "format_signature_header",
    "generate_private_key",
    "get_header",
    "is_notification_success_reply",
    "is_sandbox_client",
    "load_private_key",
    "load_public_key",
    "parse_notification",
    "parse_signature_header",
    "parse_time_header",
    "path_for",
    "private_key_text",
    "public_key_text",
    "read_private_key",
    "read_public_key",
    "read_request_headers",
    "read_response_headers",
    "redact",
    "request_headers",
    "response_headers",
    "sign",
    "signature_header",
    "string_to_sign",
    "verify",
    "verify_notification",
    "verify_request",
    "verify_response",
    "write_private_key",
    "write_public_key",
    *_messages_all,
]
