"""Money in minor units: parsing, wire form, formatting per locale and the wallet rules."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tvclient.money import (
    CURRENCY_EXPONENTS,
    WALLET_RULES,
    CurrencyMismatchError,
    InvalidAmountError,
    Money,
    UnknownCurrencyError,
    Wallet,
    format_money,
    rules_for,
)


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("38", "HKD", 3800),
        ("38.00", "HKD", 3800),
        ("0.01", "HKD", 1),
        ("1,000.5", "HKD", 100050),
        ("30000", "IDR", 3000000),
        ("30,000", "IDR", 3000000),
        ("1500", "JPY", 1500),
        ("12.30", "USD", 1230),
    ],
)
def test_parse_major_units(text: str, currency: str, minor: int) -> None:
    """A person's decimal amount becomes the exact number of minor units."""
    assert Money.parse(text, currency) == Money(minor, currency)


@pytest.mark.parametrize(
    ("text", "currency"),
    [("0.001", "HKD"), ("1.5", "JPY"), ("-1", "HKD"), ("1e3", "HKD"), ("", "HKD"),
     ("12.5", "IDR"), ("abc", "HKD"), ("1.2.3", "HKD")],
)
def test_parse_refuses_what_is_not_an_amount(text: str, currency: str) -> None:
    """Too many decimals, signs, exponents, sub-rupiah IDR and junk are refused by name."""
    with pytest.raises(InvalidAmountError):
        Money.parse(text, currency)


def test_unknown_currency_is_refused() -> None:
    """Only Antom's currency table is accepted."""
    with pytest.raises(UnknownCurrencyError):
        Money(100, "XXX")
    with pytest.raises(UnknownCurrencyError):
        Money.parse("1", "hkd")


def test_idr_must_end_in_00() -> None:
    """Antom counts IDR in hundredths that must always be zero."""
    assert Money(3000000, "IDR").minor == 3000000
    with pytest.raises(InvalidAmountError, match="end in 00"):
        Money(3000050, "IDR")


def test_amounts_are_integers_never_floats_or_bools() -> None:
    """Floats and booleans would hide rounding bugs, so they are refused."""
    with pytest.raises(InvalidAmountError):
        Money(38.0, "HKD")  # type: ignore[arg-type]
    with pytest.raises(InvalidAmountError):
        Money(True, "HKD")
    with pytest.raises(InvalidAmountError):
        Money(-1, "HKD")


def test_wire_round_trip() -> None:
    """Antom's Amount object is minor units as a string."""
    amount = Money(3800, "HKD")
    assert amount.to_wire() == {"currency": "HKD", "value": "3800"}
    assert Money.from_wire("3800", "HKD") == amount


@pytest.mark.parametrize(
    "value", ["38.00", "-1", " 1", "1e3", 38, None, "", "\uff11\uff12", "1" * 17]
)
def test_from_wire_refuses_non_digit_strings(value: object) -> None:
    """The wire value is a plain ASCII digit string of at most 16 characters."""
    with pytest.raises(InvalidAmountError):
        Money.from_wire(value, "HKD")


@given(st.integers(min_value=0, max_value=10**15), st.sampled_from(sorted(CURRENCY_EXPONENTS)))
def test_wire_round_trip_property(minor: int, currency: str) -> None:
    """Every valid amount survives the wire form unchanged."""
    if currency == "IDR":
        minor -= minor % 100
    amount = Money(minor, currency)
    assert Money.from_wire(amount.to_wire()["value"], currency) == amount
    assert Money.parse(f"{amount.decimal}", currency) == amount


def test_arithmetic_stays_in_one_currency() -> None:
    """Adding, subtracting and comparing across currencies is an error, not a silent bug."""
    a, b = Money(3800, "HKD"), Money(200, "HKD")
    assert a + b == Money(4000, "HKD")
    assert a - b == Money(3600, "HKD")
    assert b < a
    with pytest.raises(CurrencyMismatchError):
        _ = a + Money(100, "USD")
    with pytest.raises(CurrencyMismatchError):
        _ = a < Money(100, "USD")
    with pytest.raises(InvalidAmountError):
        _ = b - a


@pytest.mark.parametrize(
    ("amount", "locale", "text"),
    [
        (Money(3800, "HKD"), "en", "HK$38.00"),
        (Money(3800, "HKD"), "zh_Hant_HK", "HK$38.00"),
        (Money(3000000, "IDR"), "id", "Rp30.000"),
        (Money(1234500, "HKD"), "en", "HK$12,345.00"),
    ],
)
def test_format_for_people(amount: Money, locale: str, text: str) -> None:
    """Amounts read the way buyers in each locale expect, IDR without decimals."""
    assert format_money(amount, locale).replace("\xa0", " ") == text


def test_str_is_locale_neutral() -> None:
    """Logs and files get one unambiguous form."""
    assert str(Money(3800, "HKD")) == "HKD 38.00"
    assert str(Money(3000000, "IDR")) == "IDR 30000.00"


def test_wallet_rules_match_antom_table() -> None:
    """The AlipayHK and DANA limits are Antom's, in minor units."""
    hk = WALLET_RULES[Wallet.ALIPAY_HK]
    assert (hk.currency, hk.min_per_transaction.minor, hk.max_per_transaction.minor) == (
        "HKD", 1, 5_000_000,
    )
    assert hk.max_per_year == Money(20_000_000, "HKD")
    assert hk.max_per_day is None
    dana = rules_for("DANA")
    assert (dana.currency, dana.min_per_transaction.minor, dana.max_per_transaction.minor) == (
        "IDR", 30_000, 1_000_000_000,
    )
    assert dana.max_per_day == Money(2_000_000_000, "IDR")
    for rules in WALLET_RULES.values():
        assert rules.refund
        assert rules.partial_refund
        assert not rules.chargeback
        assert rules.refund_period == dt.timedelta(days=365)


@pytest.mark.parametrize(
    ("minor", "ok"), [(1, True), (5_000_000, True), (5_000_001, False), (0, False)]
)
def test_alipayhk_limits_at_the_edges(minor: int, ok: bool) -> None:
    """Exactly the minimum and maximum pass; one minor unit beyond fails."""
    rules = WALLET_RULES[Wallet.ALIPAY_HK]
    if ok:
        rules.check_amount(Money(minor, "HKD"))
    else:
        with pytest.raises(InvalidAmountError):
            rules.check_amount(Money(minor, "HKD"))


def test_wallet_refuses_other_currency() -> None:
    """DANA pays in IDR only."""
    with pytest.raises(CurrencyMismatchError):
        WALLET_RULES[Wallet.DANA].check_amount(Money(3800, "HKD"))


def test_unknown_wallet() -> None:
    """Only AlipayHK and DANA are Scan to Bind wallets here."""
    with pytest.raises(ValueError, match="not a supported wallet"):
        rules_for("GCASH")


def test_day_is_the_wallets_local_day() -> None:
    """Daily caps roll over at midnight in the wallet's home time zone."""
    moment = dt.datetime(2026, 3, 1, 17, 30, tzinfo=dt.UTC)  # 00:30 on 2 March in Jakarta
    assert WALLET_RULES[Wallet.DANA].day_of(moment) == dt.date(2026, 3, 2)
    assert WALLET_RULES[Wallet.ALIPAY_HK].day_of(moment) == dt.date(2026, 3, 2)
    earlier = dt.datetime(2026, 3, 1, 16, 30, tzinfo=dt.UTC)  # 23:30 in Jakarta, 00:30 in HK
    assert WALLET_RULES[Wallet.DANA].day_of(earlier) == dt.date(2026, 3, 1)
    assert WALLET_RULES[Wallet.ALIPAY_HK].day_of(earlier) == dt.date(2026, 3, 2)
