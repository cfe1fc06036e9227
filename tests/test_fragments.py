"""portal.fragments: a reference list loaded while a change of its table commits is not kept; eviction holds
under threads."""

import threading

from portal import fragments


def test_a_list_loaded_across_a_change_is_not_kept(app):
    with app.app_context():
        fragments.forget_all()
        loads = []

        def load_racing_a_change():
            loads.append("old rows")
            # Another request of this process commits a change of the table while this load runs.
            fragments._forget({"categories"})
            return "old rows"

        assert fragments.reference("cats", frozenset({"categories"}), load_racing_a_change) == "old rows"
        # The next request loads again instead of serving the old rows for REFERENCE_SECONDS.
        assert fragments.reference("cats", frozenset({"categories"}), lambda: "new rows") == "new rows"
        assert fragments.reference("cats", frozenset({"categories"}), lambda: "not loaded") == "new rows"


def test_eviction_under_threads_keeps_the_limit(app, monkeypatch):
    monkeypatch.setattr(fragments, "LIMIT", 8)
    errors: list[BaseException] = []

    def fill(offset: int) -> None:
        with app.test_request_context("/"):
            try:
                for n in range(3000):
                    fragments.remembered("race", (offset, n), lambda n=n: n)
            except BaseException as error:  # noqa: BLE001 - the test reports any failure of the threads
                errors.append(error)

    with app.app_context():
        fragments.forget_all()
    threads = [threading.Thread(target=fill, args=(t,)) for t in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with app.app_context():
        assert len(app.extensions["portal_fragments"]["race"]) <= 8
