import psycopg
import pytest

from tests.helpers.pgcluster import libpq_url


def test_a_query_round_trips_through_the_private_cluster(postgres_url):
    """The fixture hands out a working PostgreSQL database that starts empty."""
    assert postgres_url.startswith("postgresql+psycopg://postgres@127.0.0.1:")
    with psycopg.connect(libpq_url(postgres_url), autocommit=True) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
        assert tables == (0,)
        conn.execute("CREATE TABLE t (id int PRIMARY KEY, name text)")
        conn.execute("INSERT INTO t VALUES (%s, %s)", (1, "香港"))
        assert conn.execute("SELECT name FROM t WHERE id = 1").fetchone() == ("香港",)
        version = conn.execute("SHOW server_version_num").fetchone()
        assert version is not None
        assert int(version[0]) >= 150000


def test_listen_notify_crosses_connections(postgres_url):
    """A NOTIFY on one connection reaches a LISTEN on another (how long-poll wake-ups travel)."""
    with (
        psycopg.connect(libpq_url(postgres_url), autocommit=True) as listener,
        psycopg.connect(libpq_url(postgres_url), autocommit=True) as sender,
    ):
        listener.execute("LISTEN bind_session")
        sender.execute("SELECT pg_notify('bind_session', 'bs_42')")
        received = list(listener.notifies(timeout=5.0, stop_after=1))
    assert [(n.channel, n.payload) for n in received] == [("bind_session", "bs_42")]


def test_each_database_is_fresh_and_separate(postgres_url, postgres_database_factory):
    """The factory gives further empty databases; what one test database holds, others do not."""
    other = postgres_database_factory()
    assert other != postgres_url
    with psycopg.connect(libpq_url(postgres_url), autocommit=True) as conn:
        conn.execute("CREATE TABLE only_here (x int)")
    with (
        psycopg.connect(libpq_url(other), autocommit=True) as conn,
        pytest.raises(psycopg.errors.UndefinedTable),
    ):
        conn.execute("SELECT * FROM only_here")


async def test_sqlalchemy_async_engine_uses_the_url(postgres_url):
    """The URL works as given with SQLAlchemy's asyncio engine (psycopg 3 driver)."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(postgres_url)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT 40 + 2"))).scalar_one() == 42
    finally:
        await engine.dispose()
